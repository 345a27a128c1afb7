"""The service report's figures, counted exactly over a seeded week."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.desk.service_report import DayCount, Ratio, day_starts, service_report
from bot.services import Services
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.service_week import HOUR, SHANGHAI, add_ticket, local, seed_week


async def test_the_last_seven_days_of_a_seeded_week(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await seed_week(chat, clock)

    report = await service_report(services.sessions, clock, SHANGHAI, days=7)

    assert (report.since, report.until) == (local(12, 1, 0), local(12, 7, 11))
    assert report.messages_per_day == [
        DayCount(date(2026, 12, day), count)
        for day, count in [(1, 0), (2, 0), (3, 0), (4, 0), (5, 2), (6, 3), (7, 2)]
    ]
    assert report.customer_messages == 7
    assert report.faq_answers == Ratio(2, 4)  # faq and faq_pick, of those and two fallbacks
    assert report.handovers == Ratio(2, 3)  # alice and dave, of alice, bob and dave
    assert report.handovers_by_reason == {"request": 1, "complaint": 0, "fallback": 1, "staff": 1}
    assert report.tickets == {
        ("after_sales", "in_progress"): 1,
        ("after_sales", "waiting_customer"): 1,
        ("complaint", "resolved"): 1,
        ("complaint", "open"): 2,
        ("complaint", "closed"): 1,
    }
    assert (report.tickets_of_kind("complaint"), report.tickets_in_status("open")) == (4, 2)
    assert report.complaints_by_category == {
        "logistics": 1,
        "quality": 2,
        "service": 0,
        "price": 0,
        "other": 1,
    }
    assert report.first_response == Ratio(3, 5)
    assert report.first_response.share == 0.6


async def test_thirty_days_take_the_older_chats_and_tickets_in(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await seed_week(chat, clock)

    report = await service_report(services.sessions, clock, SHANGHAI, days=30)

    assert report.since == local(11, 8, 0)
    assert len(report.messages_per_day) == 30
    by_day = {day.day: day.count for day in report.messages_per_day if day.count}
    assert by_day == {
        date(2026, 11, 29): 1,
        date(2026, 11, 30): 1,
        date(2026, 12, 5): 2,
        date(2026, 12, 6): 3,
        date(2026, 12, 7): 2,
    }
    assert report.faq_answers == Ratio(3, 5)
    assert report.handovers == Ratio(3, 4)
    assert report.handovers_by_reason == {"request": 1, "complaint": 1, "fallback": 1, "staff": 1}
    assert report.tickets[("callback", "open")] == 1
    assert report.first_response == Ratio(3, 6)


async def test_an_unanswered_ticket_counts_as_missed_only_once_past_due(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    await add_ticket(chat, "T1", "complaint", "open", clock.now(), 2 * HOUR, None, "price")

    clock.advance(hours=2)
    at_the_deadline = await service_report(services.sessions, clock, SHANGHAI)
    clock.advance(minutes=1)
    past_it = await service_report(services.sessions, clock, SHANGHAI)

    assert at_the_deadline.first_response == Ratio(0, 0)
    assert at_the_deadline.first_response.share is None
    assert past_it.first_response == Ratio(0, 1)


async def test_an_empty_period_has_zeros_and_no_rates(services: Services, clock: FakeClock) -> None:
    report = await service_report(services.sessions, clock, SHANGHAI, days=90)

    assert len(report.messages_per_day) == 90
    assert report.customer_messages == 0
    assert report.messages_per_day[-1] == DayCount(date(2026, 11, 29), 0)
    assert (report.faq_answers.share, report.handovers.share, report.first_response.share) == (
        None,
        None,
        None,
    )
    assert report.tickets == {}
    assert set(report.complaints_by_category.values()) == {0}


def test_days_are_wall_clock_days_across_a_change_of_summer_time() -> None:
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)  # clocks went back on 1 November

    starts = day_starts(now, new_york, 3)

    assert [start.astimezone(new_york).day for start in starts] == [1, 2, 3, 4]
    utc = [start.astimezone(UTC) for start in starts]
    assert (utc[1] - utc[0], utc[2] - utc[1]) == (timedelta(hours=25), timedelta(hours=24))
