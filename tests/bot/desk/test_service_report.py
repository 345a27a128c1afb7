"""The service report's figures, counted exactly over a seeded week."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.desk.service_report import DayCount, Ratio, day_starts, service_report
from bot.services import Services
from storage.models import Conversation, Ticket
from storage.repositories import Repositories
from tests.conftest import Chat, FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def move_to(clock: FakeClock, when: datetime) -> None:
    assert when >= clock.now()
    clock.advance(seconds=(when - clock.now()).total_seconds())


async def conversation_of(chat: Chat) -> int:
    async with chat.services.sessions() as session:
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        return (await repos.conversations.for_identity(identity.id, chat.clock.now())).id


async def hand_over(chat: Chat, reason: str, end: bool = False) -> None:
    """A handover of the chat's conversation requested now, ended at once if asked."""
    conversation_id = await conversation_of(chat)
    async with chat.services.sessions() as session, session.begin():
        handovers = Repositories.for_session(session).handovers
        handover = await handovers.start(conversation_id, reason, chat.clock.now())
        if end:
            await handovers.end(handover.id, "handback", chat.clock.now())


async def to_staff(chat: Chat) -> None:
    """A person holds the chat: the customer's messages wait for them."""
    conversation_id = await conversation_of(chat)
    async with chat.services.sessions() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.mode = "human"


async def add_ticket(
    chat: Chat,
    number: str,
    kind: str,
    status: str,
    created: datetime,
    answer_within: timedelta,
    answered_after: timedelta | None,
    category: str | None = None,
) -> None:
    async with chat.services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        await repos.tickets.add(
            Ticket(
                number=number,
                kind=kind,
                status=status,
                identity_id=identity.id,
                category=category,
                first_response_due=created + answer_within,
                resolution_due=created + 24 * HOUR,
                first_response_at=None if answered_after is None else created + answered_after,
                created_at=created,
                updated_at=created,
            )
        )


async def seed_week(chat: Chat, clock: FakeClock) -> None:
    """Chats, handovers and tickets from 29 Nov to 7 Dec; the clock ends at 7 Dec 11:00."""
    alice, bob, dave, eve = chat, chat.as_user("bob"), chat.as_user("dave"), chat.as_user("eve")
    # Before the last seven days: 29 and 30 November.
    await alice.ask("付款后多久发货？")  # faq
    await add_ticket(alice, "CB1", "callback", "open", clock.now(), 2 * HOUR, None)  # missed
    move_to(clock, local(11, 30, 23, 50))  # ten minutes before the 7-day window opens
    await eve.ask("你好")  # smalltalk
    await hand_over(eve, "complaint")
    # 5 December, late in the evening.
    move_to(clock, local(12, 5, 23, 30))
    await alice.ask("你们发什么快递？")  # faq
    await alice.ask("阿巴阿巴")  # fallback
    # 6 December just after midnight: still 5 December in UTC.
    move_to(clock, local(12, 6, 0, 30))
    await bob.ask("发货")  # fallback, offering three questions
    await bob.ask("3")  # faq_pick: the third question's answer
    await bob.ask("你好")  # smalltalk
    await hand_over(alice, "request", end=True)
    await hand_over(alice, "fallback")  # alice's second: one conversation, two handovers
    # 7 December: dave is with a person.
    move_to(clock, local(12, 7, 10, 0))
    await dave.ask("你好")  # smalltalk
    await to_staff(dave)
    await dave.ask("在吗")  # staff
    await hand_over(dave, "staff")
    tickets = [  # (kind, status, created, due within, answered after, category)
        ("after_sales", "in_progress", local(12, 6, 10), 4 * HOUR, HOUR, None),  # met
        ("complaint", "resolved", local(12, 6, 10), 2 * HOUR, 3 * HOUR, "logistics"),  # late
        ("complaint", "open", local(12, 6, 12), 2 * HOUR, None, "quality"),  # missed
        ("complaint", "open", local(12, 7, 10, 30), 2 * HOUR, None, None),  # not due yet
        ("complaint", "closed", local(12, 7, 9), HOUR / 2, HOUR / 2, "quality"),  # met, just
        ("after_sales", "waiting_customer", local(12, 6, 15), 4 * HOUR, HOUR / 6, None),  # met
    ]
    for n, (kind, status, created, due, answered, category) in enumerate(tickets, 1):
        await add_ticket(alice, f"T{n}", kind, status, created, due, answered, category)
    move_to(clock, local(12, 7, 11, 0))


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
