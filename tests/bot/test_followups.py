"""Scheduling follow-ups: a shipping notice once per tracking number, a visit after delivery
and after a resolved ticket, nothing for customers without a chat."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Services
from bot.cli import main
from bot.importing import ImportReport, NewsSettings, import_orders
from bot.tickets import update_ticket
from handlers.ticketing import add_ticket
from storage.models import FollowUp
from storage.repositories import Repositories
from tests.bot.conftest import FollowUpDesk
from tests.conftest import Chat, FakeClock

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
    for status in ("resolved", "in_progress", "resolved"):
        await update_ticket(
            services.sessions,
            ticket.number,
            status=status,
            staff_id=staff_id,
            clock=clock,
            texts=services.assistant.texts,
            settings=services.settings,
        )

    (visit,) = await all_followups(services)
    assert (visit.kind, visit.ticket_id, visit.staff_id) == ("visit", ticket.id, staff_id)
    assert visit.due_at == clock.now() + timedelta(days=1)
    assert ticket.number in visit.text


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
