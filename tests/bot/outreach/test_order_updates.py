"""Staff record a shipment or a delivery: the customer is told, once, in their chat."""

import pytest
from sqlalchemy import select

from bot.outreach.followup_delivery import Dispatched, send_due_followups
from bot.outreach.order_updates import (
    OrderNotFound,
    OrderUpdate,
    UpdateRefused,
    record_delivery,
    record_shipment,
)
from bot.services import Services
from storage.models import AuditEntry, FollowUp, Identity, Order, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

PAID = "KF20261125003"  # 李四's, phone ending 5678
SHIPPED = "KF20261120001"  # 张三's, phone ending 8000
TRACKING = "SF9876543210987"


async def verify(chat: Chat, order_no: str = PAID, digits: str = "5678") -> None:
    """The chat proves it is the order's customer."""
    await chat.ask(order_no)
    assert "验证成功" in await chat.ask(digits)


async def ship(
    services: Services,
    order_no: str = PAID,
    tracking_no: str = TRACKING,
    carrier: str = "顺丰速运",
    staff_id: int | None = None,
) -> OrderUpdate:
    return await record_shipment(
        services.sessions,
        services.clock,
        services.settings,
        services.assistant.texts,
        order_no,
        carrier,
        tracking_no,
        staff_id,
    )


async def deliver(services: Services, order_no: str = SHIPPED) -> OrderUpdate:
    return await record_delivery(
        services.sessions,
        services.clock,
        services.settings,
        services.assistant.texts,
        order_no,
        None,
    )


async def send_due(services: Services) -> Dispatched:
    return await send_due_followups(services.sessions, services.clock, services.settings, {})


async def outbox_texts(chat: Chat) -> list[str]:
    """What the bot has queued for this chat, oldest first."""
    async with chat.services.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.text)
            .join(Identity, Identity.id == OutboxMessage.identity_id)
            .where(Identity.channel == chat.channel, Identity.external_id == chat.user)
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def followups(services: Services, order_no: str) -> list[FollowUp]:
    async with services.sessions() as session:
        rows = await session.scalars(
            select(FollowUp)
            .join(Order, Order.id == FollowUp.order_id)
            .where(Order.order_no == order_no)
            .order_by(FollowUp.id)
        )
        return list(rows)


async def stored(services: Services, order_no: str) -> Order:
    async with services.sessions() as session:
        order = await Repositories.for_session(session).orders.by_number(order_no)
        assert order is not None
        return order


# --- shipments -----------------------------------------------------------------------------------


async def test_a_shipment_tells_the_customer_the_carrier_and_number_once(
    services: Services, chat: Chat
) -> None:
    await verify(chat)

    update = await ship(services)

    assert update.changed and update.news.notices == 1 and update.news.no_chat == 0
    order = await stored(services, PAID)
    assert order.status == "shipped"
    assert order.shipment is not None and order.shipment.tracking_no == TRACKING
    assert [f.kind for f in await followups(services, PAID)] == ["shipping_notice"]
    assert (await send_due(services)).sent == 1
    [notice] = await outbox_texts(chat)
    assert "顺丰速运" in notice and TRACKING in notice and PAID in notice

    again = await ship(services)

    assert not again.changed and again.news.notices == 0
    assert len(await followups(services, PAID)) == 1
    assert (await send_due(services)).sent == 0
    assert len(await outbox_texts(chat)) == 1


async def test_a_corrected_tracking_number_is_announced_again(
    services: Services, chat: Chat
) -> None:
    await verify(chat)
    await ship(services, tracking_no="SF1111111111111")
    await send_due(services)

    update = await ship(services, tracking_no="YT2222222222222", carrier="圆通速递")

    assert update.changed and update.news.notices == 1
    assert (await send_due(services)).sent == 1
    first, second = await outbox_texts(chat)
    assert "SF1111111111111" in first and "已经发货啦" in first
    assert "YT2222222222222" in second and "圆通速递" in second and "更新" in second
    order = await stored(services, PAID)
    assert order.shipment is not None and order.shipment.tracking_no == "YT2222222222222"


async def test_a_correction_in_quiet_hours_sends_only_the_right_number(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verify(chat)
    clock.advance(hours=11)  # 22:00 in Shanghai: notices wait for the morning
    await ship(services, tracking_no="SF1111111111111")

    update = await ship(services, tracking_no="SF3333333333333")

    assert (update.news.cancelled, update.news.notices) == (1, 1)
    clock.advance(hours=12)  # 10:00 the next day
    assert (await send_due(services)).sent == 1
    [notice] = await outbox_texts(chat)
    assert "SF3333333333333" in notice and "SF1111111111111" not in notice
    assert "已经发货啦" in notice  # the customer never heard of the first number


async def test_a_number_corrected_back_is_announced_again(services: Services, chat: Chat) -> None:
    await verify(chat)
    for number in ("SF1111111111111", "YT2222222222222", "SF1111111111111"):
        update = await ship(services, tracking_no=number)
        assert update.news.notices == 1, number
        assert (await send_due(services)).sent == 1

    *_, last = await outbox_texts(chat)
    assert "SF1111111111111" in last and "更新" in last


async def test_a_corrected_carrier_alone_is_announced(services: Services, chat: Chat) -> None:
    await verify(chat)
    await ship(services, carrier="中通快递", tracking_no="75300000000001")
    await send_due(services)

    update = await ship(services, carrier="圆通速递", tracking_no="75300000000001")

    assert update.changed and update.news.notices == 1
    await send_due(services)
    *_, last = await outbox_texts(chat)
    assert "圆通速递" in last and "75300000000001" in last


async def test_a_newly_verified_chat_is_announced_in_the_earlier_one_and_both_get_notices(
    services: Services, chat: Chat
) -> None:
    await verify(chat)
    stranger = chat.as_user("stranger-who-guessed")
    await verify(stranger)

    # The earlier chat is told at once, and nothing of it goes to the new chat.
    (told,) = await outbox_texts(chat)
    assert "新的聊天窗口" in told and "转人工" in told
    assert await outbox_texts(stranger) == []

    update = await ship(services)

    # The notice is not moved to the chat verified last: the earlier one gets it too.
    assert update.news.notices == 2
    assert (await send_due(services)).sent == 2
    for each in (chat, stranger):
        assert any(TRACKING in text for text in await outbox_texts(each))


async def test_one_chat_verified_again_tells_nobody(services: Services, chat: Chat) -> None:
    await verify(chat)
    await verify(chat.as_user("bob"), SHIPPED, "8000")  # another customer's chat

    assert await outbox_texts(chat) == []


async def test_a_customer_without_a_chat_is_skipped_and_counted(services: Services) -> None:
    update = await ship(services)

    assert update.changed and update.news.no_chat == 1 and update.news.notices == 0
    assert await followups(services, PAID) == []
    assert (await stored(services, PAID)).status == "shipped"


async def test_a_tracking_number_is_stored_as_the_chat_recognises_it(
    services: Services, chat: Chat
) -> None:
    await ship(services, tracking_no=" sf 9876 5432 10987 ")

    order = await stored(services, PAID)
    assert order.shipment is not None and order.shipment.tracking_no == TRACKING
    assert "手机号" in await chat.ask(TRACKING)  # the customer can ask by it
    assert PAID in await chat.ask("5678")


@pytest.mark.parametrize(
    "tracking_no", ["", "  ", "12345", "顺丰单号", "SF-1234-5678-90", "13912345678", PAID]
)
async def test_invalid_tracking_numbers_are_refused(
    services: Services, chat: Chat, tracking_no: str
) -> None:
    await verify(chat)

    with pytest.raises(UpdateRefused):
        await ship(services, tracking_no=tracking_no)

    order = await stored(services, PAID)
    assert order.status == "paid" and order.shipment is None
    assert await followups(services, PAID) == []


@pytest.mark.parametrize("carrier", ["", "   ", "快" * 65])
async def test_a_missing_or_overlong_carrier_is_refused(services: Services, carrier: str) -> None:
    with pytest.raises(UpdateRefused):
        await ship(services, carrier=carrier)
    assert (await stored(services, PAID)).status == "paid"


@pytest.mark.parametrize("order_no", ["KF20261126004", "KF20261101005", "KF20261115002"])
async def test_only_paid_or_shipped_orders_can_be_shipped(
    services: Services, order_no: str
) -> None:
    before = (await stored(services, order_no)).status

    with pytest.raises(UpdateRefused):
        await ship(services, order_no=order_no)

    assert (await stored(services, order_no)).status == before


async def test_an_unknown_order_is_not_found(services: Services) -> None:
    with pytest.raises(OrderNotFound):
        await ship(services, order_no="KF20990101999")
    with pytest.raises(OrderNotFound):
        await deliver(services, order_no="KF20990101999")


async def test_changes_are_in_the_audit_log(services: Services, staff_id: int) -> None:
    await ship(services, staff_id=staff_id)
    await ship(services, staff_id=staff_id)  # no change: nothing to log

    async with services.sessions() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    shipments = [e for e in entries if e.action == "order_shipment"]
    assert [(e.staff_id, e.subject) for e in shipments] == [(staff_id, PAID)]
    assert TRACKING in shipments[0].detail


# --- deliveries ----------------------------------------------------------------------------------


async def test_a_delivery_schedules_a_visit_three_days_later(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verify(chat, SHIPPED, "8000")
    delivered_at = clock.now()

    update = await deliver(services)

    assert update.changed and update.news.visits == 1
    order = await stored(services, SHIPPED)
    assert order.status == "delivered" and order.delivered_at == delivered_at
    before = len(await outbox_texts(chat))
    clock.advance(days=3, minutes=-1)
    assert (await send_due(services)).sent == 0
    clock.advance(minutes=1)  # 11:00 in Shanghai, three days on
    assert (await send_due(services)).sent == 1
    visits = (await outbox_texts(chat))[before:]
    assert len(visits) == 1 and SHIPPED in visits[0] and "1～5" in visits[0]


async def test_delivering_twice_schedules_one_visit(services: Services, chat: Chat) -> None:
    await verify(chat, SHIPPED, "8000")
    await deliver(services)

    again = await deliver(services)

    assert not again.changed and again.news.visits == 0
    assert [f.kind for f in await followups(services, SHIPPED)] == ["visit"]


async def test_a_delivery_for_a_customer_without_a_chat_says_so(services: Services) -> None:
    update = await deliver(services)

    assert update.changed and update.news.no_chat == 1 and update.news.visits == 0
    assert await followups(services, SHIPPED) == []


async def test_a_delivery_cancels_a_shipping_notice_not_sent_yet(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verify(chat)
    clock.advance(hours=11)  # 22:00: the notice waits for the morning
    await ship(services)

    update = await deliver(services, PAID)

    assert (update.news.cancelled, update.news.visits) == (1, 1)
    clock.advance(hours=12)
    await send_due(services)
    assert not any(TRACKING in text for text in await outbox_texts(chat))


async def test_only_shipped_orders_can_be_delivered(services: Services) -> None:
    with pytest.raises(UpdateRefused):
        await deliver(services, PAID)
    assert (await stored(services, PAID)).status == "paid"
