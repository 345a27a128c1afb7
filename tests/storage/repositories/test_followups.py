"""FollowUpRepository: scheduling once per subject, claiming once, and visits' answers."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import FollowUpKind, FollowUpStatus, TicketKind
from storage.models import FollowUp
from storage.repositories import Repositories
from storage.repositories.followups import VisitTally
from tests.support.factories import (
    add_chat,
    add_customer,
    add_followup,
    add_order,
    add_staff,
    add_ticket,
)


async def test_a_subject_is_scheduled_once(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    fields = {
        "kind": FollowUpKind.SHIPPING_NOTICE,
        "identity_id": chat.identity.id,
        "text": "您的包裹已发出",
        "due_at": now,
        "created_at": now,
    }

    first = await repos.followups.schedule(subject="ship:KF1", **fields)
    again = await repos.followups.schedule(subject="ship:KF1", **{**fields, "text": "又一次"})
    added = await repos.followups.schedule_many(
        [{**fields, "subject": "ship:KF1"}, {**fields, "subject": "ship:KF2"}]
    )

    assert (first, again, added) == (True, False, 1)
    stored = await repos.followups.by_subject("ship:KF1")
    assert stored is not None and stored.text == "您的包裹已发出"
    assert stored.status == FollowUpStatus.SCHEDULED and stored.quiet is True


async def test_due_ids_longest_waiting_first_and_only_staff_timed_ones_in_quiet_hours(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    later = await add_followup(repos, chat, due_at=now - timedelta(minutes=1))
    earlier = await add_followup(repos, chat, due_at=now - timedelta(hours=1))
    timed = await add_followup(repos, chat, due_at=now - timedelta(minutes=30), quiet=False)
    await add_followup(repos, chat, due_at=now + timedelta(minutes=1))

    due = await repos.followups.due_ids(now, limit=10, quiet_now=False)
    in_quiet_hours = await repos.followups.due_ids(now, limit=10, quiet_now=True)
    first_two = await repos.followups.due_ids(now, limit=2, quiet_now=False)

    assert due == [earlier.id, timed.id, later.id]
    assert in_quiet_hours == [timed.id]
    assert first_two == [earlier.id, timed.id]


async def test_claim_takes_each_due_follow_up_once(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    due = await add_followup(repos, chat, due_at=now)
    not_yet = await add_followup(repos, chat, due_at=now + timedelta(hours=1))

    claimed = await repos.followups.claim([due.id, not_yet.id], now)
    again = await repos.followups.claim([due.id], now)

    assert [f.id for f in claimed] == [due.id]
    assert claimed[0].status == FollowUpStatus.SENT and claimed[0].sent_at == now
    assert again == []
    assert await repos.followups.due_ids(now, limit=10, quiet_now=False) == []


async def test_cancel_only_what_has_not_gone(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    waiting = await add_followup(repos, chat, due_at=now + timedelta(hours=1))
    gone = await add_followup(repos, chat, due_at=now)
    await repos.followups.claim([gone.id], now)

    cancelled = await repos.followups.cancel(waiting.id, "staff cancelled")
    too_late = await repos.followups.cancel(gone.id, "staff cancelled")

    assert (cancelled, too_late) == (True, False)
    stored = await repos.followups.get(waiting.id)
    assert stored is not None and stored.status == FollowUpStatus.SKIPPED
    assert stored.note == "staff cancelled"
    sent = await repos.followups.get(gone.id)
    assert sent is not None and sent.status == FollowUpStatus.SENT


async def test_a_visit_is_rated_once_and_the_open_one_is_the_newest_sent(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    older = await add_followup(repos, chat, kind=FollowUpKind.VISIT, due_at=now)
    newer = await add_followup(repos, chat, kind=FollowUpKind.VISIT, due_at=now)
    await repos.followups.claim([older.id], now)
    await repos.followups.claim([newer.id], now + timedelta(minutes=1))

    open_visit = await repos.followups.open_visit(chat.identity.id, now - timedelta(days=1))
    rated = await repos.followups.record_rating(newer.id, 5, now + timedelta(hours=1))
    rated_again = await repos.followups.record_rating(newer.id, 1, now + timedelta(hours=2))
    still_open = await repos.followups.open_visit(chat.identity.id, now - timedelta(days=1))

    assert open_visit is not None and open_visit.id == newer.id
    assert (rated, rated_again) == (True, False)
    stored = await repos.followups.get(newer.id)
    assert stored is not None and stored.rating == 5
    assert still_open is not None and still_open.id == older.id
    assert await repos.followups.open_visit(chat.identity.id, now + timedelta(seconds=1)) is None


async def test_expire_visits_sent_before_a_time_and_never_answered(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    old = await add_followup(repos, chat, kind=FollowUpKind.VISIT, due_at=now)
    answered = await add_followup(repos, chat, kind=FollowUpKind.VISIT, due_at=now)
    recent = await add_followup(repos, chat, kind=FollowUpKind.VISIT, due_at=now)
    notice = await add_followup(repos, chat, kind=FollowUpKind.SHIPPING_NOTICE, due_at=now)
    await repos.followups.claim([old.id, answered.id, notice.id], now)
    await repos.followups.claim([recent.id], now + timedelta(days=3))
    await repos.followups.record_rating(answered.id, 4, now)

    expired = await repos.followups.expire_visits(now + timedelta(days=2))

    assert expired == 1
    statuses = [(await _stored(repos, f.id)).status for f in (old, answered, recent, notice)]
    assert statuses == [
        FollowUpStatus.EXPIRED,
        FollowUpStatus.ANSWERED,
        FollowUpStatus.SENT,
        FollowUpStatus.SENT,
    ]


async def test_visited_since_finds_the_chats_and_customers_sent_a_visit(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    visited = await add_chat(repos, customer=customer, now=now)
    not_visited = await add_chat(repos, now=now)
    visit = await add_followup(
        repos, visited, kind=FollowUpKind.CARE, customer_id=customer.id, due_at=now
    )
    await add_followup(repos, not_visited, kind=FollowUpKind.SHIPPING_NOTICE, due_at=now)
    await repos.followups.claim([visit.id], now)
    await repos.followups.claim(await repos.followups.due_ids(now, 10, False), now)
    chats = [visited.identity.id, not_visited.identity.id]

    found = await repos.followups.visited_since(chats, [customer.id], now, excluding=[])
    excluded = await repos.followups.visited_since(chats, [customer.id], now, [visit.id])
    too_early = await repos.followups.visited_since(
        chats, [customer.id], now + timedelta(seconds=1), excluding=[]
    )

    assert found == ({visited.identity.id}, {customer.id})
    assert excluded == (set(), set())
    assert too_early == (set(), set())


async def test_move_changes_only_follow_ups_still_scheduled(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    waiting = await add_followup(repos, chat, due_at=now)
    gone = await add_followup(repos, chat, due_at=now)
    await repos.followups.claim([gone.id], now)
    morning = now + timedelta(hours=10)

    await repos.followups.move({waiting.id: morning, gone.id: morning})

    assert (await _stored(repos, waiting.id)).due_at == morning
    assert (await _stored(repos, gone.id)).due_at == now


async def _stored(repos: Repositories, followup_id: int) -> FollowUp:
    """The follow-up as stored now."""
    found = await repos.followups.get(followup_id)
    assert found is not None
    return found


async def test_waiting_since_lists_quiet_follow_ups_due_before_a_time(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    first = await add_followup(repos, chat, due_at=now - timedelta(hours=8))
    second = await add_followup(repos, chat, due_at=now - timedelta(hours=2))
    await add_followup(repos, chat, due_at=now - timedelta(hours=3), quiet=False)
    await add_followup(repos, chat, due_at=now)

    waited = await repos.followups.waiting_since(now, limit=10)

    assert waited == [(first.id, first.subject), (second.id, second.subject)]
    assert await repos.followups.waiting_since(now, limit=1) == [(first.id, first.subject)]


async def test_care_visits_since_tells_the_latest_try_and_those_still_waiting(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    tried = await add_customer(session)
    waiting = await add_customer(session)
    long_ago = await add_customer(session)
    chats = {c.id: await add_chat(repos, customer=c, now=now) for c in (tried, waiting, long_ago)}

    async def care(customer_id: int, due_at: datetime) -> FollowUp:
        return await add_followup(
            repos,
            chats[customer_id],
            kind=FollowUpKind.CARE,
            customer_id=customer_id,
            due_at=due_at,
        )

    sent = await care(tried.id, now - timedelta(days=3))
    skipped = await care(tried.id, now - timedelta(days=1))
    await care(waiting.id, now + timedelta(days=1))
    old = await care(long_ago.id, now - timedelta(days=40))
    await repos.followups.claim([sent.id], now - timedelta(days=2))
    await repos.followups.claim([old.id], now - timedelta(days=40))
    await repos.followups.cancel(skipped.id, "staff")

    tried_at, still_waiting = await repos.followups.care_visits_since(now - timedelta(days=30))

    assert tried_at == {tried.id: now - timedelta(days=1)}
    assert still_waiting == {waiting.id}


async def test_visit_reports_count_visits_sent_in_the_period(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    chat = await add_chat(repos, customer=customer, now=now)
    agent = await add_staff(repos, display_name="小美", now=now)
    order = await add_order(repos, customer, order_no="KF801")
    ticket = await add_ticket(repos, chat)
    after_order = await add_followup(repos, chat, kind=FollowUpKind.VISIT, order_id=order.id)
    after_ticket = await add_followup(
        repos, chat, kind=FollowUpKind.VISIT, ticket_id=ticket.id, staff_id=agent.id
    )
    unanswered = await add_followup(repos, chat, kind=FollowUpKind.VISIT, order_id=order.id)
    skipped = await add_followup(repos, chat, kind=FollowUpKind.VISIT)
    before_period = await add_followup(repos, chat, kind=FollowUpKind.VISIT, order_id=order.id)
    await repos.followups.claim([after_order.id, after_ticket.id, unanswered.id], now)
    await repos.followups.claim([before_period.id], now - timedelta(days=10))
    await repos.followups.record_rating(after_order.id, 2, now + timedelta(hours=1))
    await repos.followups.record_rating(after_ticket.id, 5, now + timedelta(hours=2))
    await repos.followups.record_rating(before_period.id, 1, now)
    await repos.followups.expire_visits(now + timedelta(seconds=1))
    await repos.followups.cancel(skipped.id, "weekly limit")
    since, until = now - timedelta(days=1), now + timedelta(days=1)

    by_kind = await repos.followups.visit_tallies_by_ticket_kind(since, until)
    by_staff = await repos.followups.visit_tallies_by_staff(since, until)
    ratings = await repos.followups.visit_ratings_between(since, until)
    not_sent = await repos.followups.visits_not_sent_between(since, until)
    low = await repos.followups.low_rated_visits(since, until, at_most=3, limit=10)

    assert by_kind == {
        None: VisitTally(sent=2, answered=1, expired=1, rating_total=2),
        TicketKind.AFTER_SALES: VisitTally(sent=1, answered=1, expired=0, rating_total=5),
    }
    assert by_staff == [(agent.id, "小美", VisitTally(1, 1, 0, 5))]
    assert ratings == {2: 1, 5: 1}
    assert not_sent == {(FollowUpStatus.SKIPPED, "weekly limit"): 1}
    assert [(v.rating, v.order_no, v.visited_ticket) for v in low] == [(2, "KF801", None)]
