"""Staff side of the handover: taking conversations, answering, handing them back, and the
jobs that give queued conversations to agents, idle ones back to the bot and, at closing
time, waiting ones a callback ticket.

Each call is one transaction. Who holds a conversation is decided by conditional updates
(the handover row's status, the conversation's mode), so two agents, or an agent and the
assignment job, never both get it. Messages to the customer are outbox rows written in the
same transaction.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.unit_of_work import unit_of_work
from bot.pipeline.assistant import sanitize
from core.clock import Clock
from core.enums import ConversationMode, HandoverStatus, StaffRole
from core.settings import Settings
from core.shop_time import is_open, local_clock_time
from handlers.handover.rule import back_time, callback_template, callback_ticket, online_agents
from knowledge import ReplyTexts
from storage.models import Conversation, Staff
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# The same text from the same agent this soon after is a double click, not a second message.
DUPLICATE_WINDOW = timedelta(seconds=10)


class _Lost(Exception):
    """Another agent got the conversation first: the transaction is rolled back."""


async def _take(
    repos: Repositories,
    texts: ReplyTexts,
    conversation: Conversation,
    staff: Staff,
    now: datetime,
) -> None:
    """Give the conversation to the agent and greet the customer; raises _Lost when taken."""
    handover = await repos.handovers.current(conversation.id)
    if handover is None:  # staff step in on their own: a handover that is taken at once
        handover = await repos.handovers.start(conversation.id, "staff", now)
    if not await repos.handovers.take(handover.id, staff.id, now):
        raise _Lost
    if not await repos.handovers.hold(conversation.id, staff.id, now):
        raise _Lost
    greeting = texts.render("handover_agent_greeting", agent=staff.display_name)
    await repos.outbox.add(
        conversation.identity_id, conversation.id, greeting, now, sender="staff", staff_id=staff.id
    )


async def take_over(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    texts: ReplyTexts,
    conversation_id: int,
    staff_id: int,
) -> bool:
    """The agent takes the conversation, queued or not; False when another agent holds it."""
    now = clock.now()
    try:
        async with unit_of_work(sessions) as repos:
            conversation = await repos.handovers.conversation(conversation_id)
            staff = await repos.staff.by_id(staff_id)
            if conversation is None or staff is None or not staff.active:
                return False
            if conversation.mode == ConversationMode.HUMAN:
                return conversation.staff_id == staff_id  # one's own already: nothing to do
            await _take(repos, texts, conversation, staff, now)
            return True
    except _Lost:
        return False


async def send_staff_reply(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    conversation_id: int,
    staff_id: int,
    text: str,
    *,
    settings: Settings | None = None,
) -> bool:
    """Queue the holding agent's message to the customer; empty text refused, long text cut."""
    limit = (settings or Settings()).max_message_chars
    text = sanitize(text.strip(), limit).strip()
    if not text:
        return False
    now = clock.now()
    async with unit_of_work(sessions) as repos:
        conversation = await repos.handovers.conversation(conversation_id)
        if conversation is None or conversation.mode != ConversationMode.HUMAN:
            return False
        if conversation.staff_id != staff_id:
            return False
        since = now - DUPLICATE_WINDOW
        last = (await repos.messages.last_from_customer([conversation_id])).get(conversation_id)
        if last is not None:
            since = max(since, last.created_at)  # the customer wrote in between: a new answer
        if await repos.handovers.sent_lately(conversation_id, staff_id, text, since):
            return True  # sent twice in a hurry: the message is on its way already
        handover = await repos.handovers.current(conversation_id)
        if handover is not None and handover.staff_id == staff_id:
            await repos.handovers.touch(handover.id, now)
        await repos.outbox.add(
            conversation.identity_id, conversation_id, text, now, sender="staff", staff_id=staff_id
        )
        # A person answering the customer is the first response their open tickets wait for.
        identity = await repos.identities.by_id(conversation.identity_id)
        customer_id = identity.customer_id if identity is not None else None
        await repos.tickets.answer_in_chat(conversation.identity_id, customer_id, now)
        return True


async def hand_back(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    texts: ReplyTexts,
    conversation_id: int,
    staff_id: int,
    *,
    as_admin: bool = False,
) -> bool:
    """The holder gives the chat back to the bot, or with `as_admin` an admin anyone's chat."""
    # The caller writes the audit entry; a non-admin with `as_admin` still gives back only
    # their own conversations. False when the conversation is not theirs to give back.
    now = clock.now()
    async with unit_of_work(sessions) as repos:
        conversation = await repos.handovers.conversation(conversation_id)
        if conversation is None:
            return False
        holder: int | None = staff_id
        if as_admin and await _is_admin(repos, staff_id):
            holder = conversation.staff_id
        if holder is None or not await repos.handovers.release(conversation_id, holder, now):
            return False
        handover = await repos.handovers.current(conversation_id)
        if handover is not None:
            await repos.handovers.end(handover.id, "handback", now)
        await repos.outbox.add(
            conversation.identity_id, conversation_id, texts.render("handover_handback"), now
        )
        return True


async def _is_admin(repos: Repositories, staff_id: int) -> bool:
    staff = await repos.staff.by_id(staff_id)
    return staff is not None and staff.active and staff.role == StaffRole.ADMIN


async def release_all(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, staff_id: int
) -> int:
    """Put every chat the staff member holds back in the queue in its old place; how many.

    For an account signed out, deactivated or given a new password. The customers are not
    told: they still wait for a person, and the same handover goes on.
    """
    now = clock.now()
    async with unit_of_work(sessions) as repos:
        held = await repos.handovers.held_by(staff_id)
        conversation_ids = [conversation.id for conversation in held]
    released = 0
    for conversation_id in conversation_ids:
        async with unit_of_work(sessions) as repos:
            handover = await repos.handovers.current(conversation_id)
            if not await repos.handovers.requeue(conversation_id, staff_id, now):
                continue  # handed back or given back meanwhile
            if handover is None or not await repos.handovers.back_to_queue(handover.id):
                await repos.handovers.start(conversation_id, "staff", now)
            released += 1
    return released


async def _assign_one(
    sessions: async_sessionmaker[AsyncSession],
    texts: ReplyTexts,
    settings: Settings,
    handover_id: int,
    now: datetime,
) -> bool | None:
    """Give a queued handover to the least busy agent online; None when no agent has room."""
    try:
        async with unit_of_work(sessions) as repos:
            counts = await repos.handovers.active_counts()
            free = [
                agent
                for agent in await online_agents(repos, now)
                if counts.get(agent.id, 0) < settings.max_conversations_per_agent
            ]
            if not free:
                return None
            agent = min(free, key=lambda a: (counts.get(a.id, 0), a.id))
            handover = await repos.handovers.by_id(handover_id)
            if handover is None or handover.status != HandoverStatus.QUEUED:
                return False
            conversation = await repos.handovers.conversation(handover.conversation_id)
            if conversation is None:
                return False
            await _take(repos, texts, conversation, agent, now)
            return True
    except _Lost:
        return False


async def assign_queued(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> int:
    """Give queued conversations, oldest first, to the least busy agents; how many."""
    now = clock.now()
    async with unit_of_work(sessions) as repos:
        waiting = [h.id for h in await repos.handovers.queued()]
    assigned = 0
    for handover_id in waiting:
        given = await _assign_one(sessions, texts, settings, handover_id, now)
        if given is None:
            break  # every agent online is full
        assigned += given
    return assigned


async def return_idle(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> int:
    """Give conversations whose agent fell silent back to the bot, telling the customer."""
    now = clock.now()
    before = now - timedelta(minutes=settings.human_idle_minutes)
    async with unit_of_work(sessions) as repos:
        idle = await repos.handovers.idle_since(before)
        handovers = [(h.id, h.conversation_id, h.staff_id) for h in idle]
    returned = 0
    for handover_id, conversation_id, staff_id in handovers:
        async with unit_of_work(sessions) as repos:
            if not await repos.handovers.end_idle(handover_id, before, now):
                continue  # the agent wrote meanwhile, or handed it back
            conversation = await repos.handovers.conversation(conversation_id)
            if conversation is None or not await repos.handovers.release(
                conversation_id, staff_id, now
            ):
                continue
            notice = texts.render("handover_idle_handback")
            await repos.outbox.add(conversation.identity_id, conversation_id, notice, now)
            returned += 1
    return returned


async def close_queue(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> int:
    """Out of hours, give queued chats back to the bot with a callback ticket; how many."""
    # Nobody waits overnight: one open callback ticket per chat, and the customer hears its
    # number and when staff are back.
    now = clock.now()
    if is_open(now, settings):
        return 0
    async with unit_of_work(sessions) as repos:
        waiting = await repos.handovers.queued()
        handovers = [(h.id, h.conversation_id, h.reason, h.requested_at) for h in waiting]
    back = back_time(texts, now, settings)
    closed = 0
    for handover_id, conversation_id, reason, requested_at in handovers:
        async with unit_of_work(sessions) as repos:
            conversation = await repos.handovers.conversation(conversation_id)
            if conversation is None:
                continue
            identity = await repos.handovers.identity(conversation.identity_id)
            if identity is None or not await repos.handovers.end_queued(handover_id, "closed", now):
                continue  # an agent took it at the last minute, or the customer left
            await repos.handovers.unqueue(conversation_id, now)
            since = local_clock_time(requested_at, settings)
            ticket, _ = await callback_ticket(
                repos,
                settings,
                now,
                identity,
                reason,
                f"waited for a person from {since} until closing time",
                "下班时仍在排队",
            )
            template = callback_template("handover_closed_callback", identity)
            notice = texts.render(template, number=ticket.number, back=back)
            await repos.outbox.add(conversation.identity_id, conversation_id, notice, now)
            closed += 1
    return closed


async def run_handover_jobs(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> None:
    """Hand idle chats back, close the queue out of hours, then give the queue to agents."""
    returned = await return_idle(sessions, clock, settings, texts)
    closed = await close_queue(sessions, clock, settings, texts)
    assigned = await assign_queued(sessions, clock, settings, texts)
    if returned or closed or assigned:
        log.info(
            "handovers: %d returned to the bot, %d closed for the night, %d assigned",
            returned,
            closed,
            assigned,
        )
