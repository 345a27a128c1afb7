"""MessageRepository: a conversation's messages, duplicates from a channel, report counts."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import Sender
from storage.repositories import Repositories
from tests.support.factories import add_chat


async def test_find_incoming_by_external_id_within_one_chat(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    received = await repos.messages.add_incoming(
        chat.conversation.id, chat.identity.id, "在吗", "wx-1", now
    )
    await repos.messages.add_incoming(other.conversation.id, other.identity.id, "hi", "wx-2", now)

    found = await repos.messages.find_incoming(chat.identity.id, "wx-1")

    assert found is not None and found.id == received.id
    assert await repos.messages.find_incoming(chat.identity.id, "wx-2") is None
    assert await repos.messages.find_incoming(other.identity.id, "wx-1") is None


async def test_in_conversation_is_the_newest_messages_oldest_first(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    said = []
    for minute, text in enumerate(("一", "二", "三", "四")):
        at = now + timedelta(minutes=minute)
        said.append(
            await repos.messages.add_incoming(
                chat.conversation.id, chat.identity.id, text, None, at
            )
        )
        await repos.messages.add_incoming(other.conversation.id, other.identity.id, "x", None, at)

    newest = await repos.messages.in_conversation(chat.conversation.id, limit=2)
    after = await repos.messages.in_conversation(chat.conversation.id, after_id=said[1].id)

    assert [m.text for m in newest] == ["三", "四"]
    assert [m.text for m in after] == ["三", "四"]
    assert len(await repos.messages.in_conversation(chat.conversation.id)) == 4


async def test_replies_and_outgoing_after_are_that_chats_oldest_first(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    conversation, identity = chat.conversation.id, chat.identity.id
    question = await repos.messages.add_incoming(conversation, identity, "?", None, now)
    first = await repos.messages.add_outgoing(
        conversation, identity, "一", Sender.BOT, now, question.id
    )
    second = await repos.messages.add_outgoing(
        conversation, identity, "二", Sender.BOT, now, question.id
    )
    await repos.messages.add_outgoing(
        other.conversation.id, other.identity.id, "x", Sender.BOT, now
    )

    assert [m.id for m in await repos.messages.replies_to(question.id)] == [first.id, second.id]
    assert [m.id for m in await repos.messages.outgoing_after(identity, 0)] == [
        first.id,
        second.id,
    ]
    assert [m.id for m in await repos.messages.outgoing_after(identity, first.id)] == [second.id]
    assert await repos.messages.newest_id() > second.id


async def test_last_from_customer_per_conversation(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    silent = await add_chat(repos, now=now)
    conversation, identity = chat.conversation.id, chat.identity.id
    await repos.messages.add_incoming(conversation, identity, "一", None, now)
    last = await repos.messages.add_incoming(conversation, identity, "二", None, now)
    await repos.messages.add_outgoing(conversation, identity, "好的", Sender.BOT, now)
    theirs = await repos.messages.add_incoming(
        other.conversation.id, other.identity.id, "hi", None, now
    )
    await repos.messages.add_outgoing(
        silent.conversation.id, silent.identity.id, "您好", Sender.BOT, now
    )

    found = await repos.messages.last_from_customer(
        [conversation, other.conversation.id, silent.conversation.id]
    )

    assert {c: m.id for c, m in found.items()} == {
        conversation: last.id,
        other.conversation.id: theirs.id,
    }


async def test_counts_keep_to_customer_messages_in_half_open_spans(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    hour = timedelta(hours=1)
    conversation, identity = chat.conversation.id, chat.identity.id
    for at, handled_by in ((now, "faq"), (now + hour, "order"), (now + 2 * hour, None)):
        message = await repos.messages.add_incoming(conversation, identity, "?", None, at)
        message.handled_by = handled_by
    await repos.messages.add_incoming(other.conversation.id, other.identity.id, "?", None, now)
    await repos.messages.add_outgoing(conversation, identity, "好", Sender.BOT, now)
    await session.flush()

    counts = await repos.messages.incoming_counts([now, now + hour, now + 2 * hour])
    by_handler = await repos.messages.incoming_by_handler(now, now + 2 * hour)
    conversations = await repos.messages.conversations_with_incoming(now + hour, now + 3 * hour)

    assert counts == [2, 1]
    assert by_handler == {"faq": 1, "order": 1, None: 1}
    assert conversations == 1
    assert await repos.messages.incoming_counts([now]) == []


async def test_unsent_lists_the_conversations_undelivered_rows(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    waiting = await repos.outbox.add(chat.identity.id, chat.conversation.id, "一", now)
    delivered = await repos.outbox.add(chat.identity.id, chat.conversation.id, "二", now)
    await repos.outbox.add(other.identity.id, other.conversation.id, "三", now)
    message = await repos.messages.add_outgoing(
        chat.conversation.id, chat.identity.id, "二", Sender.BOT, now
    )
    await repos.outbox.claim(delivered.id, now, timedelta(minutes=1))
    await repos.outbox.mark_sent(delivered.id, 1, message.id, now)
    session.expunge_all()

    unsent = await repos.messages.unsent(chat.conversation.id)

    assert [r.id for r in unsent] == [waiting.id]
