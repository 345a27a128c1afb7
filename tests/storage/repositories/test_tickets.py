"""TicketRepository: numbers, whose tickets a chat may see, deadlines and reminders."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import FollowUpKind, TicketEventKind, TicketKind, TicketStatus
from storage.repositories import Repositories
from tests.support.factories import add_chat, add_customer, add_followup, add_order, add_ticket


async def test_numbers_count_up_per_prefix(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)

    first = await add_ticket(repos, chat, prefix="AS20261129-")
    second = await add_ticket(repos, chat, prefix="AS20261129-")
    other_day = await add_ticket(repos, chat, prefix="AS20261130-")

    assert (first.number, second.number) == ("AS20261129-0001", "AS20261129-0002")
    assert other_day.number == "AS20261130-0001"
    assert await repos.tickets.next_number("AS20261129-") == "AS20261129-0003"


async def test_next_number_goes_past_9999(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    await add_ticket(repos, chat, prefix=None, number="CP20261129-9999")
    await add_ticket(repos, chat, prefix=None, number="CP20261129-10000")

    assert await repos.tickets.next_number("CP20261129-") == "CP20261129-10001"


async def test_add_records_the_created_event(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    ticket = await add_ticket(repos, chat, status=TicketStatus.OPEN, created_at=now)

    events = await repos.tickets.events(ticket)

    assert [(e.kind, e.to_status, e.time) for e in events] == [
        (TicketEventKind.CREATED, TicketStatus.OPEN, now)
    ]


async def test_a_chat_sees_only_its_own_and_its_customers_tickets(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    mine = await add_chat(repos, customer=customer, now=now)
    my_other_chat = await add_chat(repos, customer=customer, now=now)
    stranger = await add_chat(repos, now=now)
    from_this_chat = await add_ticket(repos, mine)
    for_customer = await add_ticket(repos, my_other_chat, customer=customer)
    theirs = await add_ticket(repos, stranger)

    listed = await repos.tickets.for_owner(mine.identity.id, customer.id)
    unverified = await repos.tickets.for_owner(mine.identity.id, None)

    assert [t.id for t in listed] == [for_customer.id, from_this_chat.id]
    assert [t.id for t in unverified] == [from_this_chat.id]
    owned = await repos.tickets.owned_by_number(theirs.number.lower(), stranger.identity.id, None)
    assert owned is not None and owned.id == theirs.id
    assert await repos.tickets.owned_by_number(theirs.number, mine.identity.id, customer.id) is None


async def test_add_event_moves_status_and_response_and_resolution_times(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    ticket = await add_ticket(repos, chat, created_at=now)
    noted, answered, resolved, reopened = (now + timedelta(hours=h) for h in (1, 2, 3, 4))

    await repos.tickets.add_event(ticket, noted, TicketEventKind.NOTE, text="看一下")
    assert ticket.first_response_at is None and ticket.status == TicketStatus.OPEN
    await repos.tickets.add_event(
        ticket, answered, TicketEventKind.STATUS, to_status=TicketStatus.IN_PROGRESS
    )
    await repos.tickets.add_event(
        ticket, resolved, TicketEventKind.STATUS, to_status=TicketStatus.RESOLVED
    )
    assert (ticket.first_response_at, ticket.resolved_at) == (answered, resolved)
    await repos.tickets.add_event(
        ticket, reopened, TicketEventKind.STATUS, to_status=TicketStatus.OPEN
    )

    assert ticket.status == TicketStatus.OPEN
    assert ticket.first_response_at == answered
    assert ticket.resolved_at is None
    history = await repos.tickets.events(ticket)
    assert [(e.from_status, e.to_status) for e in history[2:]] == [
        (TicketStatus.OPEN, TicketStatus.IN_PROGRESS),
        (TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED),
        (TicketStatus.RESOLVED, TicketStatus.OPEN),
    ]


async def test_mark_reminded_counts_each_stage_once(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    ticket = await add_ticket(repos, chat, created_at=now, response_within=timedelta(hours=1))
    soon = timedelta(minutes=30)

    near = await repos.tickets.near_deadlines(now + timedelta(minutes=40), soon)
    first = await repos.tickets.mark_reminded(ticket.id, "response", 1)
    again = await repos.tickets.mark_reminded(ticket.id, "response", 1)
    session.expunge_all()
    after = await repos.tickets.near_deadlines(now + timedelta(minutes=40), soon)
    overdue = await repos.tickets.near_deadlines(now + timedelta(hours=2), soon)

    assert [(t.id, response, resolution) for t, response, resolution in near] == [(ticket.id, 1, 0)]
    assert (first, again) == (True, False)
    assert after == []
    assert [(t.id, response) for t, response, _ in overdue] == [(ticket.id, 2)]


async def test_listing_flags_missed_deadlines_of_active_tickets_only(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    unanswered = await add_ticket(repos, chat, created_at=now)
    answered = await add_ticket(repos, chat, created_at=now, first_response_at=now)
    closed = await add_ticket(repos, chat, created_at=now, status=TicketStatus.CLOSED)
    later = now + timedelta(hours=3)  # past the 2-hour response deadline, before resolution

    listed = {t.ticket.id: t for t in await repos.tickets.listing(later)}
    overdue = await repos.tickets.listing(later, overdue_only=True)

    assert listed[unanswered.id].response_overdue and not listed[unanswered.id].resolution_overdue
    assert not listed[answered.id].overdue
    assert not listed[closed.id].overdue
    assert [t.ticket.id for t in overdue] == [unanswered.id]


async def test_waiting_for_answer_is_the_ticket_last_asked(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    asked_first = await add_ticket(repos, chat)
    asked_last = await add_ticket(repos, chat)
    for ticket in (asked_last, asked_first, asked_last):
        await repos.tickets.add_event(
            ticket, now, TicketEventKind.STATUS, to_status=TicketStatus.IN_PROGRESS
        )
        await repos.tickets.add_event(
            ticket, now, TicketEventKind.STATUS, to_status=TicketStatus.WAITING_CUSTOMER
        )

    waiting = await repos.tickets.waiting_for_answer(chat.identity.id)
    elsewhere = await repos.tickets.waiting_for_answer((await add_chat(repos, now=now)).identity.id)

    assert waiting is not None and waiting.id == asked_last.id
    assert elsewhere is None


async def test_answer_in_chat_gives_first_responses_once_to_that_customers_tickets(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    chat = await add_chat(repos, customer=customer, now=now)
    other_chat = await add_chat(repos, customer=customer, now=now)
    stranger = await add_chat(repos, now=now)
    await add_ticket(repos, chat)
    await add_ticket(repos, other_chat, customer=customer)
    await add_ticket(repos, chat, status=TicketStatus.RESOLVED)
    theirs = await add_ticket(repos, stranger)

    answered = await repos.tickets.answer_in_chat(chat.identity.id, customer.id, now)
    again = await repos.tickets.answer_in_chat(chat.identity.id, customer.id, now)
    session.expunge_all()

    assert (answered, again) == (2, 0)
    untouched = await repos.tickets.get(theirs.id)
    assert untouched is not None and untouched.first_response_at is None


async def test_complaints_since_and_active_complaint_keep_to_the_chat_and_window(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    await add_ticket(repos, chat, kind=TicketKind.COMPLAINT, created_at=now - timedelta(days=3))
    recent = await add_ticket(repos, chat, kind=TicketKind.COMPLAINT, category="logistics")
    await add_ticket(repos, chat, kind=TicketKind.COMPLAINT, status=TicketStatus.CLOSED)
    await add_ticket(repos, chat, kind=TicketKind.AFTER_SALES)
    await add_ticket(repos, other, kind=TicketKind.COMPLAINT)
    since = now - timedelta(days=1)

    assert await repos.tickets.complaints_since(chat.identity.id, since) == 2
    active = await repos.tickets.active_complaint_since(chat.identity.id, since)
    assert active is not None and active.id == recent.id
    assert await repos.tickets.active_complaint_since(chat.identity.id, since, "quality") is None


async def test_parties_show_a_customer_verified_after_the_ticket_was_opened(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session, name="赵六")
    order = await add_order(repos, customer, order_no="KF701")
    chat = await add_chat(repos, now=now)
    ticket = await add_ticket(repos, chat, order=order)
    await repos.identities.bind(chat.identity, customer.id)

    parties = await repos.tickets.parties([ticket])

    found = parties[ticket.id]
    assert found.identity.id == chat.identity.id
    assert found.conversation_id == chat.conversation.id
    assert found.customer is not None and found.customer.name == "赵六"
    assert found.order_no == "KF701"


async def test_returns_not_sent_are_approved_waiting_and_not_yet_reminded(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    waiting = TicketStatus.WAITING_CUSTOMER

    async def approved_return(at: datetime, request_type: str = "return") -> int:
        ticket = await add_ticket(repos, chat, status=waiting, request_type=request_type)
        await repos.tickets.add_event(ticket, at, TicketEventKind.APPROVED)
        return ticket.id

    due = await approved_return(now)
    exchange = await approved_return(now, "exchange")
    reminded = await approved_return(now)
    await approved_return(now + timedelta(days=2))  # approved too lately
    await approved_return(now, "refund")  # nothing to send back
    await add_followup(
        repos, chat, kind=FollowUpKind.RETURN_REMINDER, ticket_id=reminded, due_at=now
    )

    found = await repos.tickets.returns_not_sent(now + timedelta(days=1))

    assert [t.id for t in found] == [due, exchange]
    assert [t.id for t in await repos.tickets.returns_not_sent(now, limit=1)] == [due]


async def test_report_counts_keep_to_the_half_open_period(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    hour = timedelta(hours=1)
    await add_ticket(repos, chat, created_at=now, first_response_at=now + hour)  # in time
    await add_ticket(repos, chat, created_at=now, first_response_at=now + 3 * hour)  # late
    unanswered = await add_ticket(repos, chat, created_at=now)  # overdue by the time asked
    not_due = await add_ticket(repos, chat, created_at=now + 10 * hour)
    await add_ticket(repos, chat, created_at=now + 24 * hour, kind=TicketKind.COMPLAINT)
    end = now + 24 * hour

    met = await repos.tickets.first_responses_between(now, end, now + 11 * hour)
    counts = await repos.tickets.counts_created_between(now, end)
    search = await repos.tickets.search(kind=TicketKind.AFTER_SALES, since=now, limit=2)

    assert met == (1, 2)
    assert counts == {(TicketKind.AFTER_SALES, TicketStatus.OPEN, None): 4}
    assert [t.id for t in search] == [not_due.id, unanswered.id]
