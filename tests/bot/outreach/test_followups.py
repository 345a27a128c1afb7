"""Scheduling follow-ups: news comes from a change of an order (a new parcel, a delivery),
never from importing it again; a visit after each resolution of a ticket; nothing for
customers without a chat."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.desk.actor import Actor
from bot.desk.importing import ImportReport, NewsSettings, import_orders
from bot.desk.tickets import update_ticket
from bot.services import Services
from handlers.tickets.opening import add_ticket
from storage.models import FollowUp
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.followups import FollowUpDesk

ZHANG_PHONE = "13800138000"  # the demo customer with orders KF20261120001 and …002


def order_line(**changes: Any) -> str:
    data: dict[str, Any] = {
        "order_no": "KF20261128009",
        "status": "shipped",
        "created_at": "2026-11-28T10:00:00+08:00",
        "customer": {"name": "张三", "phone": ZHANG_PHONE},
        "items": [{"sku": "MASK-01", "name": "玻尿酸补水面膜", "qty": 1, "price": "59.00"}],
        "total": "59.00",
        "paid_at": "2026-11-28T10:01:00+08:00",
        "shipment": {
            "carrier": "顺丰速运",
            "tracking_no": "SF7770001112223",
            "shipped_at": "2026-11-29T09:00:00+08:00",
            "events": [],
        },
        "delivered_at": None,
    }
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


async def import_lines(services: Services, *lines: str) -> ImportReport:
    news = NewsSettings(services.settings, services.assistant.texts, services.clock.now())
    return await import_orders(services.sessions, lines, news)


async def set_ticket_status(services: Services, number: str, status: str, staff_id: int) -> None:
    await update_ticket(
        services.sessions,
        number,
        status=status,
        actor=Actor("staff", services.clock.now(), staff_id),
        texts=services.assistant.texts,
        settings=services.settings,
    )


def parcel(carrier: str, tracking_no: str) -> dict[str, Any]:
    return {"carrier": carrier, "tracking_no": tracking_no, "events": []}


async def all_followups(services: Services) -> list[FollowUp]:
    async with services.sessions() as session:
        return list(await session.scalars(select(FollowUp).order_by(FollowUp.id)))


@pytest.fixture
async def zhang(chat: Chat) -> Chat:
    """张三, verified in the web chat."""
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")
    return chat


async def test_a_shipped_order_tells_its_customer_the_tracking_number_once(
    services: Services, zhang: Chat, followups: FollowUpDesk
) -> None:
    first = await import_lines(services, order_line())
    again = await import_lines(services, order_line())

    assert (first.news.notices, again.news.notices) == (1, 0)
    assert (await followups.send()).sent == 1
    (notice,) = await followups.outbox_texts(zhang)
    assert "KF20261128009" in notice and "顺丰速运" in notice and "SF7770001112223" in notice


async def test_a_new_tracking_number_is_news_again(
    services: Services, zhang: Chat, followups: FollowUpDesk
) -> None:
    await import_lines(services, order_line())
    resent = {"carrier": "中通快递", "tracking_no": "75300001112223", "events": []}
    report = await import_lines(services, order_line(shipment=resent))

    assert report.news.notices == 1
    await followups.send()
    assert "75300001112223" in (await followups.outbox_texts(zhang))[-1]


async def test_orders_of_customers_without_a_chat_are_skipped_and_counted(
    services: Services,
) -> None:
    stranger = {"name": "路人", "phone": "13600001111"}
    report = await import_lines(
        services,
        order_line(customer=stranger),
        order_line(order_no="KF20261128010", customer=stranger),
    )

    assert (report.news.notices, report.news.no_chat) == (0, 2)
    assert await all_followups(services) == []
    again = await import_lines(
        services,
        order_line(customer=stranger),
        order_line(order_no="KF20261128010", customer=stranger),
    )
    assert (again.news.notices, again.news.no_chat) == (0, 0)  # no news, nobody skipped


async def test_reimporting_an_old_parcel_tells_a_newly_verified_customer_nothing(
    services: Services, chat: Chat
) -> None:
    first = await import_lines(services, order_line())
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")  # 张三 verifies a chat only now

    again = await import_lines(services, order_line())

    assert (first.news.no_chat, again.news.notices, again.news.no_chat) == (1, 0, 0)
    assert await all_followups(services) == []


async def test_reimporting_a_delivered_order_visits_a_newly_verified_customer_never(
    services: Services, chat: Chat
) -> None:
    delivered = order_line(status="delivered", delivered_at="2026-11-29T10:30:00+08:00")
    first = await import_lines(services, delivered)
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")

    again = await import_lines(services, delivered)

    assert (first.news.no_chat, again.news.visits, again.news.no_chat) == (1, 0, 0)
    assert await all_followups(services) == []


async def test_a_number_corrected_back_is_announced_each_time_as_a_correction(
    services: Services, zhang: Chat, followups: FollowUpDesk
) -> None:
    sent = []
    for carrier, number in [("顺丰速运", "SF7770001112223"), ("中通快递", "75300001112223")] * 2:
        report = await import_lines(services, order_line(shipment=parcel(carrier, number)))
        assert report.news.notices == 1, number
        assert (await followups.send()).sent == 1
        sent.append((await followups.outbox_texts(zhang))[-1])

    first, *corrections = sent
    assert "已经发货啦" in first
    assert [("更新" in text, "已经发货啦" in text) for text in corrections] == [(True, False)] * 3
    assert "SF7770001112223" in corrections[1] and "75300001112223" in corrections[2]


async def test_one_file_correcting_a_number_back_announces_the_last_parcel(
    services: Services, zhang: Chat, followups: FollowUpDesk
) -> None:
    report = await import_lines(
        services,
        order_line(),
        order_line(shipment=parcel("中通快递", "75300001112223")),
        order_line(),
    )

    assert (report.news.notices, report.news.cancelled) == (3, 2)
    assert (await followups.send()).sent == 1
    (notice,) = await followups.outbox_texts(zhang)
    assert "SF7770001112223" in notice and "顺丰速运" in notice


async def test_a_corrected_carrier_alone_is_announced(
    services: Services, zhang: Chat, followups: FollowUpDesk
) -> None:
    await import_lines(services, order_line(shipment=parcel("中通快递", "75300001112223")))
    await followups.send()

    report = await import_lines(services, order_line(shipment=parcel("圆通速递", "75300001112223")))

    assert report.news.notices == 1
    await followups.send()
    assert "圆通速递" in (await followups.outbox_texts(zhang))[-1]


async def test_an_import_cancels_a_waiting_notice_for_a_replaced_number(
    services: Services, zhang: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    clock.advance(hours=11)  # 22:00 in Shanghai: notices wait for the morning
    await import_lines(services, order_line())

    report = await import_lines(services, order_line(shipment=parcel("中通快递", "75300001112223")))

    assert (report.news.notices, report.news.cancelled) == (1, 1)
    clock.advance(hours=12)
    assert (await followups.send()).sent == 1
    (notice,) = await followups.outbox_texts(zhang)
    # The customer never heard of the first number: no correction to speak of.
    assert "75300001112223" in notice and "已经发货啦" in notice


async def test_an_imported_delivery_cancels_the_waiting_notice(
    services: Services, zhang: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    clock.advance(hours=11)
    await import_lines(services, order_line())

    report = await import_lines(
        services, order_line(status="delivered", delivered_at="2026-11-29T21:30:00+08:00")
    )

    assert (report.news.cancelled, report.news.visits) == (1, 1)
    clock.advance(hours=12)
    await followups.send()
    assert await followups.outbox_texts(zhang) == []  # the visit is days away


async def test_a_parcel_recorded_on_a_paid_order_is_announced_when_it_ships(
    services: Services, zhang: Chat
) -> None:
    labelled = await import_lines(services, order_line(status="paid"))
    shipped = await import_lines(services, order_line())

    assert (labelled.news.notices, shipped.news.notices) == (0, 1)


async def test_orders_not_on_their_way_get_no_shipping_notice(
    services: Services, zhang: Chat
) -> None:
    report = await import_lines(services, order_line(status="paid", shipment=None))

    assert report.news.notices == 0
    assert await all_followups(services) == []


async def test_a_delivered_order_is_visited_three_days_later(
    services: Services, zhang: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    delivered = order_line(status="delivered", delivered_at="2026-11-29T10:30:00+08:00")
    report = await import_lines(services, delivered)

    assert (report.news.notices, report.news.visits) == (0, 1)
    (visit,) = await all_followups(services)
    assert visit.kind == "visit" and visit.order_id is not None
    assert visit.due_at - clock.now() == timedelta(days=3, minutes=-30)
    clock.advance(days=2)
    assert (await followups.send()).sent == 0
    clock.advance(days=1)
    assert (await followups.send()).sent == 1
    assert "KF20261128009" in (await followups.outbox_texts(zhang))[0]


async def test_an_order_delivered_long_ago_is_not_visited_now(
    services: Services, zhang: Chat
) -> None:
    report = await import_lines(
        services, order_line(status="delivered", delivered_at="2026-10-01T10:30:00+08:00")
    )

    assert report.news.visits == 0
    assert await all_followups(services) == []


async def test_a_resolved_ticket_is_visited_a_day_later_once(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock, staff_id: int
) -> None:
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        ticket = await add_ticket(
            Repositories.for_session(session),
            services.settings,
            clock.now(),
            identity,
            "after_sales",
            request_type="return",
        )
    await set_ticket_status(services, ticket.number, "resolved", staff_id)
    resolved_at = clock.now()
    clock.advance(hours=2)
    await set_ticket_status(services, ticket.number, "closed", staff_id)

    (visit,) = await all_followups(services)
    assert (visit.kind, visit.ticket_id, visit.staff_id) == ("visit", ticket.id, staff_id)
    assert visit.due_at == resolved_at + timedelta(days=1)
    assert ticket.number in visit.text


async def test_a_reopened_ticket_is_visited_again_when_resolved_again(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock, staff_id: int
) -> None:
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        ticket = await add_ticket(
            Repositories.for_session(session),
            services.settings,
            clock.now(),
            identity,
            "after_sales",
            request_type="return",
        )
    await set_ticket_status(services, ticket.number, "resolved", staff_id)
    clock.advance(days=2)
    await set_ticket_status(services, ticket.number, "in_progress", staff_id)  # not fixed after all
    clock.advance(hours=3)
    await set_ticket_status(services, ticket.number, "resolved", staff_id)

    first, second = await all_followups(services)
    assert (first.kind, second.kind) == ("visit", "visit")
    assert second.due_at == clock.now() + timedelta(days=1)


async def test_the_import_command_says_what_news_it_scheduled(
    services: Services,
    zhang: Chat,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", services.settings.database_url)
    orders = tmp_path / "orders.jsonl"
    stranger = {"name": "路人", "phone": "13600001111"}
    orders.write_text(
        order_line() + "\n" + order_line(order_no="KF20261128010", customer=stranger) + "\n",
        encoding="utf-8",
    )

    # The command runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(main, ["import", "orders", str(orders)], clock) == 0

    out = capsys.readouterr().out
    assert "1 shipping notices" in out and "1 orders skipped (customer has no chat)" in out
