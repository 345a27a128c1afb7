"""IdentityRepository: chat identities, their binding to customers and where news goes."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import Repositories
from tests.support.factories import add_chat, add_customer


async def test_get_or_create_keeps_one_identity_per_channel_user(
    repos: Repositories, now: datetime
) -> None:
    first = await repos.identities.get_or_create("web", "alice", now)
    again = await repos.identities.get_or_create("web", "alice", now + timedelta(days=1))
    elsewhere = await repos.identities.get_or_create("wechat_mp", "alice", now)

    assert again.id == first.id
    assert elsewhere.id != first.id
    assert (await repos.identities.find("web", "alice")).id == first.id  # type: ignore[union-attr]
    assert await repos.identities.find("web", "bob") is None


async def test_bind_clears_failed_verifications_and_lock(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    identity = await repos.identities.get_or_create("web", "alice", now)
    await repos.identities.record_failed_verification(identity, 5, now + timedelta(hours=1))
    await repos.identities.record_failed_verification(identity, 5, now + timedelta(hours=1))
    await session.refresh(identity)
    assert identity.failed_verifications == 2

    await repos.identities.bind(identity, customer.id)
    session.expunge_all()
    stored = await repos.identities.by_id(identity.id)

    assert stored is not None
    assert stored.customer_id == customer.id
    assert stored.failed_verifications == 0 and stored.locked_until is None


async def test_failed_verifications_lock_at_the_limit_only_once(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    identity = await repos.identities.get_or_create("web", "guesser", now)
    until = now + timedelta(minutes=30)

    locked = [
        await repos.identities.record_failed_verification(identity, 3, until) for _ in range(4)
    ]
    await session.refresh(identity)

    assert locked == [False, False, True, False]
    assert identity.locked_until == until
    assert identity.failed_verifications == 1  # counting starts again after the lock


async def test_latest_for_customer_is_their_chat_used_most_lately(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    older = await add_chat(repos, customer=customer, now=now)
    lately = await add_chat(repos, customer=customer, now=now)
    stranger = await add_chat(repos, customer=await add_customer(session), now=now)
    older.conversation.updated_at = now + timedelta(hours=2)
    lately.conversation.updated_at = now + timedelta(hours=3)
    stranger.conversation.updated_at = now + timedelta(hours=4)
    await session.flush()

    latest = await repos.identities.latest_for_customer(customer.id)
    by_customer = await repos.identities.latest_active_by_customer()

    assert latest is not None and latest.id == lately.identity.id
    assert by_customer[customer.id] == lately.identity.id
    assert by_customer[stranger.identity.customer_id] == stranger.identity.id  # type: ignore[index]


async def test_notice_chats_start_with_the_latest_then_other_active_chats_oldest_first(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    first = await add_chat(repos, customer=customer, now=now)
    left = await add_chat(repos, customer=customer, now=now)
    second = await add_chat(repos, customer=customer, now=now)
    latest = await add_chat(repos, customer=customer, now=now)
    await add_chat(repos, customer=await add_customer(session), now=now)
    left.identity.active = False
    await session.flush()

    chats = await repos.identities.notice_chats(latest.identity)

    assert [i.id for i in chats] == [latest.identity.id, first.identity.id, second.identity.id]


async def test_customers_heard_since_counts_only_their_own_incoming_messages(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    quiet = await add_customer(session)
    chat = await add_chat(repos, customer=customer, now=now)
    quiet_chat = await add_chat(repos, customer=quiet, now=now)
    anonymous = await add_chat(repos, now=now)
    conversation, identity = chat.conversation.id, chat.identity.id
    await repos.messages.add_incoming(conversation, identity, "早", None, now - timedelta(days=2))
    await repos.messages.add_incoming(conversation, identity, "在吗", None, now)
    await repos.messages.add_outgoing(
        conversation, identity, "在的", "bot", now + timedelta(minutes=1)
    )
    await repos.messages.add_outgoing(
        quiet_chat.conversation.id, quiet_chat.identity.id, "您好", "bot", now
    )
    await repos.messages.add_incoming(
        anonymous.conversation.id, anonymous.identity.id, "hi", None, now
    )

    heard = await repos.identities.customers_heard_since(now - timedelta(days=1))

    assert heard == {customer.id: now}
