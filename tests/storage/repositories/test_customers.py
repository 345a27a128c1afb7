"""CustomerRepository: a customer's own orders, tickets, visits and chats, and lockouts."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import FollowUpKind, OrderStatus, Sender, TicketStatus
from storage.repositories import Repositories
from tests.support.factories import add_chat, add_customer, add_followup, add_order, add_ticket


async def test_id_for_phone(repos: Repositories, session: AsyncSession) -> None:
    customer = await add_customer(session, phone="13700000123")

    assert await repos.customers.id_for_phone("13700000123") == customer.id
    assert await repos.customers.id_for_phone("1370000012") is None


async def test_wrong_answers_lock_the_customer_until_a_time(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    other = await add_customer(session)
    until = now + timedelta(minutes=15)

    for _ in range(3):
        await repos.customers.record_failed_verification(customer.id, 3, until)
    await repos.customers.record_failed_verification(None, 3, until)  # an unknown order

    assert await repos.customers.is_locked(customer.id, now) is True
    assert await repos.customers.is_locked(customer.id, until) is False
    assert await repos.customers.is_locked(other.id, now) is False
    assert await repos.customers.is_locked(None, now) is False


async def test_clear_failed_verifications_starts_the_count_again(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    until = now + timedelta(minutes=15)
    for _ in range(2):
        await repos.customers.record_failed_verification(customer.id, 3, until)

    await repos.customers.clear_failed_verifications(customer.id)
    await repos.customers.record_failed_verification(customer.id, 3, until)

    assert await repos.customers.is_locked(customer.id, now) is False


async def test_spending_and_totals_count_only_bought_orders_of_each_customer(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    other = await add_customer(session)
    old = now - timedelta(days=60)
    await add_order(repos, customer, total="100.00", created_at=old)
    await add_order(repos, customer, total="20.50", status=OrderStatus.DELIVERED)
    await add_order(repos, customer, total="999.00", status=OrderStatus.REFUNDED)
    await add_order(repos, customer, total="5.00", status=OrderStatus.PENDING_PAYMENT)
    await add_order(repos, other, total="7.00")
    since = now - timedelta(days=30)

    spending = await repos.customers.spending(since, [customer.id])
    totals = await repos.customers.order_totals(customer.id)

    assert set(spending) == {customer.id}
    assert spending[customer.id].orders == 2
    assert spending[customer.id].recent_orders == 1
    assert spending[customer.id].recent_spent == Decimal("20.50")
    assert (totals.placed, totals.spent, totals.first_ordered) == (4, Decimal("120.50"), old)
    everyone = await repos.customers.spending(since)
    assert everyone[other.id].recent_spent == Decimal("7.00")


async def test_tickets_include_those_from_their_chats_before_verification_only(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    someone_else = await add_customer(session)
    chat = await add_chat(repos, now=now)
    before_verifying = await add_ticket(repos, chat, created_at=now)
    await repos.identities.bind(chat.identity, customer.id)
    for_customer = await add_ticket(
        repos, chat, customer=customer, created_at=now + timedelta(hours=1)
    )
    await add_ticket(repos, chat, customer=someone_else)  # the chat's, for another customer
    closed = await add_ticket(repos, chat, customer=customer, status=TicketStatus.CLOSED)
    await add_ticket(repos, await add_chat(repos, now=now))

    tickets = await repos.customers.tickets(customer.id, limit=2)
    every = await repos.customers.tickets(customer.id, limit=10)

    assert [t.id for t in tickets] == [for_customer.id, closed.id]
    assert [t.id for t in every] == [for_customer.id, closed.id, before_verifying.id]
    assert await repos.customers.open_ticket_count(customer.id) == 2
    assert await repos.customers.open_ticket_count(someone_else.id) == 1


async def test_visit_ratings_are_theirs_answered_newest_first(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    chat = await add_chat(repos, customer=customer, now=now)
    stranger = await add_chat(repos, customer=await add_customer(session), now=now)
    visits = [
        await add_followup(repos, c, kind=FollowUpKind.VISIT, customer_id=c.identity.customer_id)
        for c in (chat, chat, chat, stranger)
    ]
    await repos.followups.claim([v.id for v in visits], now)
    await repos.followups.record_rating(visits[0].id, 3, now + timedelta(days=1))
    await repos.followups.record_rating(visits[1].id, 5, now + timedelta(days=2))
    await repos.followups.record_rating(visits[3].id, 1, now + timedelta(days=3))

    ratings = await repos.customers.visit_ratings(customer.id)

    assert ratings == [(5, now + timedelta(days=2)), (3, now + timedelta(days=1))]


async def test_contact_times_cover_all_their_chats_and_only_their_own_words_last(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    web = await add_chat(repos, customer=customer, now=now)
    mp = await add_chat(repos, channel="wechat_mp", customer=customer, now=now)
    stranger = await add_chat(repos, now=now)
    await repos.messages.add_outgoing(
        web.conversation.id, web.identity.id, "您好", Sender.BOT, now - timedelta(days=1)
    )
    await repos.messages.add_incoming(mp.conversation.id, mp.identity.id, "在吗", None, now)
    await repos.messages.add_outgoing(
        mp.conversation.id, mp.identity.id, "在", Sender.BOT, now + timedelta(hours=1)
    )
    await repos.messages.add_incoming(
        stranger.conversation.id, stranger.identity.id, "?", None, now + timedelta(days=1)
    )

    times = await repos.customers.contact_times(customer.id)
    chats = await repos.customers.chats(customer.id)

    assert (times.first_message, times.last_from_customer) == (now - timedelta(days=1), now)
    assert [(i.id, c) for i, c in chats] == [
        (web.identity.id, web.conversation.id),
        (mp.identity.id, mp.conversation.id),
    ]


async def test_ordered_since_is_each_customers_latest_order_in_the_window(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    lapsed = await add_customer(session)
    later = now + timedelta(days=500)  # after every demo order
    await add_order(repos, customer, created_at=later)
    await add_order(repos, customer, created_at=later + timedelta(days=1))
    await add_order(repos, lapsed, created_at=later - timedelta(days=90))

    ordered = await repos.customers.ordered_since(later - timedelta(days=30))

    assert ordered == {customer.id: later + timedelta(days=1)}
