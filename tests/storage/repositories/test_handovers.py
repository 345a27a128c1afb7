"""HandoverRepository: the queue for staff, and who holds which conversation."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import (
    ConversationMode,
    HandoverEnd,
    HandoverReason,
    HandoverStatus,
    Sender,
    TicketKind,
    TicketStatus,
)
from storage.models import Handover
from storage.repositories import Repositories
from tests.support.factories import add_chat, add_staff, add_ticket


async def test_the_queue_is_first_come_first_served(repos: Repositories, now: datetime) -> None:
    chats = [await add_chat(repos, now=now) for _ in range(3)]
    second = await repos.handovers.start(chats[0].conversation.id, HandoverReason.REQUEST, now)
    first = await repos.handovers.start(
        chats[1].conversation.id, HandoverReason.COMPLAINT, now - timedelta(minutes=5)
    )
    third = await repos.handovers.start(chats[2].conversation.id, HandoverReason.REQUEST, now)

    queued = await repos.handovers.queued()

    assert [h.id for h in queued] == [first.id, second.id, third.id]
    assert [await repos.handovers.position(h) for h in (first, second, third)] == [1, 2, 3]
    assert [h.id for h in await repos.handovers.queued(limit=1)] == [first.id]


async def test_a_queued_handover_is_taken_by_one_agent_only(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    alice = await add_staff(repos, now=now)
    bob = await add_staff(repos, now=now)
    handover = await repos.handovers.start(chat.conversation.id, HandoverReason.REQUEST, now)

    taken = await repos.handovers.take(handover.id, alice.id, now)
    taken_again = await repos.handovers.take(handover.id, bob.id, now)

    assert (taken, taken_again) == (True, False)
    stored = await _stored(session, handover.id)
    assert stored.status == HandoverStatus.ACTIVE and stored.staff_id == alice.id
    assert [h.id for h in await repos.handovers.active(alice.id)] == [handover.id]
    assert await repos.handovers.active(bob.id) == []
    assert await repos.handovers.active_counts() == {alice.id: 1}
    assert await repos.handovers.queued() == []


async def test_back_to_queue_keeps_its_place_and_ending_happens_once(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    first_chat = await add_chat(repos, now=now)
    later_chat = await add_chat(repos, now=now)
    agent = await add_staff(repos, now=now)
    first = await repos.handovers.start(first_chat.conversation.id, HandoverReason.REQUEST, now)
    later = await repos.handovers.start(
        later_chat.conversation.id, HandoverReason.REQUEST, now + timedelta(minutes=1)
    )
    await repos.handovers.take(first.id, agent.id, now + timedelta(minutes=2))

    back = await repos.handovers.back_to_queue(first.id)
    back_again = await repos.handovers.back_to_queue(first.id)

    assert (back, back_again) == (True, False)
    assert (await _stored(session, first.id)).staff_id is None
    assert await repos.handovers.position(first) == 1
    assert await repos.handovers.position(later) == 2
    assert await repos.handovers.end(first.id, HandoverEnd.HANDBACK, now) is True
    assert await repos.handovers.end(first.id, HandoverEnd.IDLE, now) is False
    assert (await _stored(session, first.id)).end_reason == HandoverEnd.HANDBACK
    assert await repos.handovers.current(first_chat.conversation.id) is None
    current = await repos.handovers.current(later_chat.conversation.id)
    assert current is not None and current.id == later.id


async def test_leave_queue_only_while_nobody_took_it(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    waiting_chat = await add_chat(repos, now=now)
    taken_chat = await add_chat(repos, now=now)
    agent = await add_staff(repos, now=now)
    waiting = await repos.handovers.start(waiting_chat.conversation.id, HandoverReason.REQUEST, now)
    taken = await repos.handovers.start(taken_chat.conversation.id, HandoverReason.REQUEST, now)
    await repos.handovers.take(taken.id, agent.id, now)

    assert await repos.handovers.leave_queue(waiting.id, now) is True
    assert await repos.handovers.leave_queue(taken.id, now) is False
    assert await repos.handovers.end_queued(taken.id, "closed", now) is False
    assert (await _stored(session, waiting.id)).end_reason == HandoverEnd.LEFT_QUEUE
    assert (await _stored(session, taken.id)).status == HandoverStatus.ACTIVE


async def test_idle_handovers_end_only_without_a_recent_staff_message(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    idle_chat = await add_chat(repos, now=now)
    busy_chat = await add_chat(repos, now=now)
    agent = await add_staff(repos, now=now)
    idle = await repos.handovers.start(idle_chat.conversation.id, HandoverReason.REQUEST, now)
    busy = await repos.handovers.start(busy_chat.conversation.id, HandoverReason.REQUEST, now)
    for handover in (idle, busy):
        await repos.handovers.take(handover.id, agent.id, now)
    await repos.handovers.touch(busy.id, now + timedelta(minutes=20))
    cutoff = now + timedelta(minutes=10)

    found = await repos.handovers.idle_since(cutoff)
    ended_busy = await repos.handovers.end_idle(busy.id, cutoff, cutoff)
    ended_idle = await repos.handovers.end_idle(idle.id, cutoff, cutoff)

    assert [h.id for h in found] == [idle.id]
    assert (ended_busy, ended_idle) == (False, True)
    assert (await _stored(session, idle.id)).end_reason == HandoverEnd.IDLE


async def test_one_agent_holds_a_conversation_and_only_they_release_it(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    alice = await add_staff(repos, now=now)
    bob = await add_staff(repos, now=now)
    chat.conversation.dialog = {"step": "ask_phone"}

    held = await repos.handovers.hold(chat.conversation.id, alice.id, now)
    held_again = await repos.handovers.hold(chat.conversation.id, bob.id, now)
    released_by_other = await repos.handovers.release(chat.conversation.id, bob.id, now)

    assert (held, held_again, released_by_other) == (True, False, False)
    conversation = await repos.handovers.conversation(chat.conversation.id)
    assert conversation is not None
    assert (conversation.mode, conversation.staff_id) == (ConversationMode.HUMAN, alice.id)
    assert conversation.dialog is None  # the bot's half-done dialog is dropped
    assert [c.id for c in await repos.handovers.held_by(alice.id)] == [chat.conversation.id]
    assert await repos.handovers.release(chat.conversation.id, alice.id, now) is True
    assert await repos.handovers.held_by(alice.id) == []


async def test_requeue_and_unqueue_need_the_right_mode(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    agent = await add_staff(repos, now=now)
    await repos.handovers.hold(chat.conversation.id, agent.id, now)

    requeued = await repos.handovers.requeue(chat.conversation.id, agent.id, now)
    requeued_again = await repos.handovers.requeue(chat.conversation.id, agent.id, now)
    unqueued = await repos.handovers.unqueue(chat.conversation.id, now)
    unqueued_again = await repos.handovers.unqueue(chat.conversation.id, now)

    assert (requeued, requeued_again, unqueued, unqueued_again) == (True, False, True, False)
    conversation = await repos.handovers.conversation(chat.conversation.id)
    assert conversation is not None and conversation.mode == ConversationMode.BOT


async def test_open_callback_is_the_chats_active_callback(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    other = await add_chat(repos, now=now)
    await add_ticket(repos, chat, kind=TicketKind.CALLBACK, status=TicketStatus.CLOSED)
    await add_ticket(repos, chat, kind=TicketKind.COMPLAINT)
    await add_ticket(repos, other, kind=TicketKind.CALLBACK)
    callback = await add_ticket(repos, chat, kind=TicketKind.CALLBACK)

    found = await repos.handovers.open_callback(chat.identity.id)

    assert found is not None and found.id == callback.id
    assert await repos.handovers.open_callback((await add_chat(repos, now=now)).identity.id) is None


async def test_sent_lately_finds_the_same_staff_text_in_the_window(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    agent = await add_staff(repos, now=now)
    other = await add_staff(repos, now=now)
    await repos.outbox.add(
        chat.identity.id, chat.conversation.id, "稍等", now, Sender.STAFF, agent.id
    )
    conversation = chat.conversation.id

    assert await repos.handovers.sent_lately(conversation, agent.id, "稍等", now) is True
    assert await repos.handovers.sent_lately(conversation, other.id, "稍等", now) is False
    assert await repos.handovers.sent_lately(conversation, agent.id, "好的", now) is False
    later = now + timedelta(seconds=1)
    assert await repos.handovers.sent_lately(conversation, agent.id, "稍等", later) is False


async def _stored(session: AsyncSession, handover_id: int) -> Handover:
    """The handover as stored now: a conditional update fills in only the attributes an
    object in the session had loaded."""
    found = await session.get(Handover, handover_id, populate_existing=True)
    assert found is not None
    return found
