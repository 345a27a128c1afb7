"""The console's order pages: find an order, see it whole, record its shipment or delivery."""

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.outreach.followup_delivery import send_due_followups
from bot.services import Services
from storage.models import Identity, Order, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console

PAID = "KF20261125003"  # 李四's, phone 13912345678
SHIPPED = "KF20261120001"  # 张三's, phone 13800138000, 顺丰 SF1234567890123
TRACKING = "SF9876543210987"


async def verify(chat: Chat, order_no: str = PAID, digits: str = "5678") -> None:
    await chat.ask(order_no)
    assert "验证成功" in await chat.ask(digits)


async def page(console: Console, path: str, status: int = 200) -> str:
    response = await console.get(path)
    text = await response.text()
    assert response.status == status, text
    return text


async def post(console: Console, path: str, data: dict[str, str], status: int = 200) -> str:
    """Post a form and follow the redirect; the page shown at the end."""
    response = await console.post_form(path, data)
    text = await response.text()
    assert response.status == status, text
    return text


async def stored(services: Services, order_no: str) -> Order:
    async with services.sessions() as session:
        order = await Repositories.for_session(session).orders.by_number(order_no)
        assert order is not None
        return order


async def outbox_texts(chat: Chat) -> list[str]:
    async with chat.services.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.text)
            .join(Identity, Identity.id == OutboxMessage.identity_id)
            .where(Identity.external_id == chat.user)
            .order_by(OutboxMessage.id)
        )
        return list(rows)


# --- access --------------------------------------------------------------------------------------


async def test_order_pages_need_a_sign_in(client: TestClient, services: Services) -> None:
    for path in ("/console/orders", f"/console/orders/{PAID}"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302
        assert response.headers["Location"].startswith("/console/login")
    response = await client.post(
        f"/console/orders/{PAID}/shipment",
        data={"carrier": "顺丰速运", "tracking_no": TRACKING},
        allow_redirects=False,
    )
    assert response.status == 302
    assert (await stored(services, PAID)).status == "paid"


async def test_posts_need_the_csrf_token(agent_console: Console, services: Services) -> None:
    shipment = await agent_console.client.post(
        f"/console/orders/{PAID}/shipment", data={"carrier": "顺丰速运", "tracking_no": TRACKING}
    )
    delivery = await agent_console.client.post(f"/console/orders/{SHIPPED}/delivery", data={})

    assert (shipment.status, delivery.status) == (403, 403)
    assert (await stored(services, PAID)).status == "paid"
    assert (await stored(services, SHIPPED)).status == "shipped"


# --- list and search -----------------------------------------------------------------------------


async def test_the_list_shows_the_newest_orders_with_masked_phones(agent_console: Console) -> None:
    text = (await page(agent_console, "/console/orders")).partition("<tbody>")[2]

    assert text.index("KF20261126004") < text.index(PAID) < text.index("KF20261101005")
    assert "李四" in text and "139****5678" in text and "13912345678" not in text
    assert "已付款" in text and "¥89.00" in text


async def test_a_whole_tracking_number_opens_its_order(agent_console: Console) -> None:
    response = await agent_console.get("/console/orders?q=sf1234567890123", allow_redirects=False)

    assert response.status == 302
    assert response.headers["Location"] == f"/console/orders/{SHIPPED}"


async def test_part_of_a_number_lists_the_orders_that_contain_it(agent_console: Console) -> None:
    text = await page(agent_console, "/console/orders?q=2026112")

    assert PAID in text and SHIPPED in text and "KF20261101005" not in text
    assert "没有订单号或运单号包含「NOPE」" in await page(agent_console, "/console/orders?q=nope")


# --- one order -----------------------------------------------------------------------------------


async def test_the_order_page_shows_items_shipment_and_the_customers_chats(
    agent_console: Console, chat: Chat
) -> None:
    await verify(chat, SHIPPED, "8000")

    text = await page(agent_console, f"/console/orders/{SHIPPED.lower()}")

    assert "玻尿酸补水面膜" in text and "顺丰速运" in text and "SF1234567890123" in text
    assert "快件已揽收" in text and "已发货" in text
    assert "张三" in text and "138****8000" in text and "13800138000" not in text
    conversation = await chat.conversation()
    assert f'href="/console/conversations/{conversation.id}"' in text and "网页 · alice" in text


async def test_an_unknown_order_is_a_404_in_chinese(agent_console: Console) -> None:
    text = await page(agent_console, "/console/orders/KF20990101999", status=404)
    assert "找不到订单" in text and "KF20990101999" in text

    await post(
        agent_console,
        "/console/orders/KF20990101999/shipment",
        {"carrier": "顺丰速运", "tracking_no": TRACKING},
        status=404,
    )


# --- shipment ------------------------------------------------------------------------------------


async def test_shipping_notifies_a_verified_customer(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    await verify(chat)

    text = await post(
        agent_console,
        f"/console/orders/{PAID}/shipment",
        {"carrier": "顺丰速运", "tracking_no": TRACKING},
    )

    assert "已保存发货信息，已通知客户（发货通知已排期）" in text
    assert TRACKING in text and "已发货" in text and "发货通知" in text and "待发送" in text
    await send_due_followups(services.sessions, services.clock, services.settings, {})
    [notice] = await outbox_texts(chat)
    assert "顺丰速运" in notice and TRACKING in notice
    assert "免打扰" not in text


async def test_a_shipment_saved_at_night_says_the_notice_waits_for_the_morning(
    agent_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verify(chat)
    clock.advance(hours=11)  # 22:00 in Shanghai

    text = await post(
        agent_console,
        f"/console/orders/{PAID}/shipment",
        {"carrier": "顺丰速运", "tracking_no": TRACKING},
    )

    assert "现在是免打扰时段（21:00-09:00），结束后发出" in text


async def test_shipping_for_a_customer_without_a_chat_says_nobody_was_told(
    agent_console: Console, services: Services
) -> None:
    text = await post(
        agent_console,
        f"/console/orders/{PAID}/shipment",
        {"carrier": "中通快递", "tracking_no": "75300000000001"},
    )

    assert "客户没有绑定的聊天，未发送通知" in text
    order = await stored(services, PAID)
    assert order.shipment is not None and order.shipment.carrier == "中通快递"


async def test_the_same_number_again_is_not_announced_again(
    agent_console: Console, chat: Chat
) -> None:
    await verify(chat)
    form = {"carrier": "顺丰速运", "tracking_no": TRACKING}
    await post(agent_console, f"/console/orders/{PAID}/shipment", form)

    text = await post(agent_console, f"/console/orders/{PAID}/shipment", form)

    assert "订单信息没有变化，没有新的通知需要发送" in text


async def test_correcting_the_carrier_tells_the_customer(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    await verify(chat)
    path = f"/console/orders/{PAID}/shipment"
    await post(agent_console, path, {"carrier": "中通快递", "tracking_no": "75300000000001"})

    text = await post(agent_console, path, {"carrier": "圆通速递", "tracking_no": "75300000000001"})

    assert "已保存发货信息，已通知客户（发货通知已排期）" in text
    await send_due_followups(services.sessions, services.clock, services.settings, {})
    assert "圆通速递" in (await outbox_texts(chat))[-1]


async def test_a_bad_tracking_number_shows_the_form_again_with_the_input_kept(
    agent_console: Console, services: Services
) -> None:
    text = await post(
        agent_console,
        f"/console/orders/{PAID}/shipment",
        {"carrier": "顺丰<速运>", "tracking_no": "SF-12"},
        status=400,
    )

    assert "运单号「SF-12」格式不对" in text
    assert 'value="SF-12"' in text and 'value="顺丰&lt;速运&gt;"' in text
    assert (await stored(services, PAID)).status == "paid"


async def test_an_unpaid_order_offers_no_shipment_form(agent_console: Console) -> None:
    text = await page(agent_console, "/console/orders/KF20261126004")

    assert "只有已付款或已发货的订单可以登记发货" in text
    assert 'name="tracking_no"' not in text


# --- delivery ------------------------------------------------------------------------------------


async def test_confirming_delivery_schedules_a_visit(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    await verify(chat, SHIPPED, "8000")

    text = await post(agent_console, f"/console/orders/{SHIPPED}/delivery", {})

    assert "已确认签收，满意度回访已排期（签收 3 天后）" in text
    assert "满意度回访" in text and "已签收" in text
    assert (await stored(services, SHIPPED)).status == "delivered"


async def test_confirming_delivery_of_an_unshipped_order_is_refused(
    agent_console: Console, services: Services
) -> None:
    text = await post(agent_console, f"/console/orders/{PAID}/delivery", {}, status=400)

    assert "只有已发货的订单可以确认签收" in text
    assert (await stored(services, PAID)).status == "paid"
