"""ConversationRepository: one conversation per chat, its state, and who it is with."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import ConversationMode
from storage.repositories import Repositories
from tests.support.factories import add_chat, add_customer, add_staff


async def test_for_identity_starts_one_conversation_and_finds_it_again(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    again = await repos.conversations.for_identity(chat.identity.id, now + timedelta(hours=1))
    other = await add_chat(repos, now=now)

    assert again.id == chat.conversation.id
    assert again.updated_at == now  # finding it changes nothing
    assert other.conversation.id != chat.conversation.id
    assert chat.conversation.mode == ConversationMode.BOT
    assert chat.conversation.dialog is None and chat.conversation.memory == {}


async def test_for_identities_finds_existing_and_starts_missing(
    repos: Repositories, now: datetime
) -> None:
    started = await add_chat(repos, now=now)
    fresh = await repos.identities.get_or_create("web", "newcomer", now)

    found = await repos.conversations.for_identities([started.identity.id, fresh.id], now)

    assert set(found) == {started.identity.id, fresh.id}
    assert found[started.identity.id].id == started.conversation.id
    assert found[fresh.id].identity_id == fresh.id


async def test_save_state_is_stored(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    memory = {"order_no": "A1"}
    later = now + timedelta(minutes=5)

    await repos.conversations.save_state(chat.conversation, {"step": "ask_phone"}, memory, later)
    memory["order_no"] = "changed after saving"
    session.expunge_all()  # read back what is stored, not the object in memory
    stored = await repos.conversations.by_id(chat.conversation.id)

    assert stored is not None
    assert stored.dialog == {"step": "ask_phone"}
    assert stored.memory == {"order_no": "A1"}
    assert stored.updated_at == later


async def test_in_mode_lists_only_that_mode_most_recently_changed_first(
    repos: Repositories, now: datetime
) -> None:
    older = await add_chat(repos, now=now)
    newer = await add_chat(repos, now=now)
    await add_chat(repos, now=now + timedelta(minutes=3))  # newest of all, but with the bot
    older.conversation.mode = newer.conversation.mode = ConversationMode.QUEUED
    older.conversation.updated_at = now + timedelta(minutes=1)
    newer.conversation.updated_at = now + timedelta(minutes=2)

    queued = await repos.conversations.in_mode(ConversationMode.QUEUED)

    assert [c.id for c in queued] == [newer.conversation.id, older.conversation.id]


async def test_active_in_mode_keeps_to_the_window_and_limit(
    repos: Repositories, now: datetime
) -> None:
    quiet = await add_chat(repos, now=now)
    busy = await add_chat(repos, now=now)
    busier = await add_chat(repos, now=now)
    for chat, at in ((quiet, now - timedelta(hours=3)), (busy, now), (busier, now)):
        await repos.messages.add_incoming(chat.conversation.id, chat.identity.id, "在吗", None, at)
    await repos.messages.add_incoming(
        busier.conversation.id, busier.identity.id, "在吗?", None, now + timedelta(minutes=1)
    )

    active = await repos.conversations.active_in_mode(
        ConversationMode.BOT, since=now - timedelta(hours=1)
    )
    first = await repos.conversations.active_in_mode(
        ConversationMode.BOT, since=now - timedelta(hours=1), limit=1
    )

    assert [(c.id, at) for c, at in active] == [
        (busier.conversation.id, now + timedelta(minutes=1)),
        (busy.conversation.id, now),
    ]
    assert [c.id for c, _ in first] == [busier.conversation.id]


async def test_owners_name_the_verified_customer_only_where_bound(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session, name="李四")
    bound = await add_chat(repos, external_id="li", customer=customer, now=now)
    stranger = await add_chat(repos, external_id="nobody", now=now)

    owners = await repos.conversations.owners([bound.conversation.id, stranger.conversation.id])

    assert owners[bound.conversation.id].customer_id == customer.id
    assert owners[bound.conversation.id].customer_name == "李四"
    assert owners[bound.conversation.id].external_id == "li"
    assert owners[stranger.conversation.id].customer_id is None
    assert owners[stranger.conversation.id].customer_name is None
    assert await repos.conversations.owners([]) == {}


async def test_live_marker_changes_when_a_conversation_is_handed_over(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    staff = await add_staff(repos, now=now)
    before = await repos.conversations.live_marker()

    await repos.handovers.hold(chat.conversation.id, staff.id, now)
    after = await repos.conversations.live_marker()

    assert (chat.conversation.id, ConversationMode.HUMAN, staff.id) in after[1]
    assert after != before
