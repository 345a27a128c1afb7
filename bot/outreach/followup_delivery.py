"""Sending follow-ups whose time has come (DESIGN §6).

Each follow-up is claimed, judged and turned into an outbox row in one transaction: the
claim is a conditional update, so with two processes on one database each follow-up is sent
once; a crash before the commit leaves it scheduled, to be sent by the next run. The outbox
then delivers it like any other message.

Rules, in the order they are checked:
- quiet hours: nothing the bot times itself goes out in them; what waited through them is
  released over the first half hour after (`quiet_hours.released_at`);
- visits, satisfaction and care visits alike (`VISIT_KINDS`): none while a person talks with
  the customer or a complaint of theirs is open, none within a week (setting) of another
  visit of either kind to the same customer, none for a ticket reopened since; those are
  `skipped`, with the reason in `note`;
- reminders for a return: none once the ticket moved on;
- the channel's window: a channel may refuse to message a customer now (the Official Account
  allows it only within 48 hours of their last message): the follow-up is `undeliverable`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.followups import VISITED_STATUSES
from core.clock import Clock
from core.enums import (
    VISIT_KINDS,
    ConversationMode,
    FollowUpKind,
    FollowUpStatus,
    Sender,
    TicketStatus,
)
from core.settings import Settings
from core.shop_time import is_quiet, last_quiet_end, released_at
from storage.models import Conversation, FollowUp, Identity, Ticket
from storage.repositories import Repositories
from storage.repositories.outbox import OutboxEntry

# Why a follow-up did not go, as staff read it in the console (and the reports group it).
TALKING_WITH_STAFF = "客户正在与客服对话"
OPEN_COMPLAINT = "客户有未结束的投诉"
VISITED_LATELY = "{days:g} 天内已回访过该客户"
TICKET_REOPENED = "工单已重新打开"
RETURN_MOVED_ON = "退换货已有进展，不再提醒"
WINDOW_CLOSED = "{channel} 渠道：已超出可主动发消息的时限"
# A visit waits this long at a time while a person talks with the customer, and is dropped
# when it is this old (it would no longer be about anything recent).
WAIT_FOR_STAFF = timedelta(hours=1)
TOO_OLD = timedelta(days=14)

# Due follow-ups read at once, and claimed and sent per transaction.
BATCH = 500
CLAIM = 100


class ChannelReach(Protocol):
    """What a channel says about messaging a customer who did not write just now."""

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """True when the channel lets the shop message a customer last heard at `last_heard`."""
        ...


@dataclass
class Dispatched:
    """What one run did with the follow-ups that were due."""

    sent: int = 0
    skipped: int = 0
    undeliverable: int = 0
    released: int = 0  # moved to the end of quiet hours
    postponed: int = 0  # visits to customers talking with a person, asked again later

    @property
    def any(self) -> bool:
        return bool(
            self.sent or self.skipped or self.undeliverable or self.released or self.postponed
        )


async def release_after_quiet_hours(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> int:
    """Give follow-ups that waited through quiet hours their place in the half hour after.

    Due times are rewritten, so every process agrees on them and none are sent at once.
    """
    now = clock.now()
    if is_quiet(now, settings):
        return 0
    end = last_quiet_end(now, settings)
    if end is None:
        return 0
    moved = 0
    while True:
        async with sessions() as session, session.begin():
            followups = Repositories.for_session(session).followups
            waiting = await followups.waiting_since(end, BATCH)
            await followups.move(
                {row_id: released_at(end, subject, settings) for row_id, subject in waiting}
            )
        moved += len(waiting)
        if len(waiting) < BATCH:
            return moved


async def send_due_followups(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    reach: Mapping[str, ChannelReach],
    batch: int = BATCH,
) -> Dispatched:
    """Turn every due follow-up into an outbox row, or record why not."""
    done = Dispatched(released=await release_after_quiet_hours(sessions, clock, settings))
    while True:
        now = clock.now()
        async with sessions() as session:
            due = await Repositories.for_session(session).followups.due_ids(
                now, batch, quiet_now=is_quiet(now, settings)
            )
        for first in range(0, len(due), CLAIM):
            await _send_claimed(sessions, due[first : first + CLAIM], clock, settings, reach, done)
        if len(due) < batch:
            return done


@dataclass
class _Facts:
    """What the rules need to know about the recipients of a batch, read in a few queries."""

    identities: dict[int, Identity]
    conversations: dict[int, Conversation]  # by identity id
    tickets: dict[int, Ticket]
    complaining_chats: set[int]
    complaining_customers: set[int]
    visited_chats: set[int]
    visited_customers: set[int]
    last_heard: dict[int, datetime]  # by conversation id, for channels with a window


async def _send_claimed(
    sessions: async_sessionmaker[AsyncSession],
    followup_ids: Sequence[int],
    clock: Clock,
    settings: Settings,
    reach: Mapping[str, ChannelReach],
    done: Dispatched,
) -> None:
    """Claim a batch of due follow-ups and send or settle each, in one transaction."""
    now = clock.now()
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        # The claim comes first: on SQLite it takes the write lock, so the reads below see
        # what every other process has committed.
        claimed = await repos.followups.claim(followup_ids, now)
        if not claimed:
            return
        # On PostgreSQL another process may be judging a visit to the same customer: one at a
        # time, so the second sees the first and keeps to one visit a week.
        await repos.followups.hold_recipients(claimed)
        facts = await _facts(repos, claimed, settings, reach, now)
        sending: list[tuple[FollowUp, OutboxEntry]] = []
        for followup in claimed:
            identity = facts.identities[followup.identity_id]
            conversation = facts.conversations[identity.id]
            talking = conversation.mode != ConversationMode.BOT
            is_visit = followup.kind in VISIT_KINDS
            if is_visit and talking and now - followup.created_at < TOO_OLD:
                # A person is with the customer now: ask them later.
                followup.status, followup.sent_at = FollowUpStatus.SCHEDULED, None
                followup.due_at, followup.note = now + WAIT_FOR_STAFF, TALKING_WITH_STAFF
                done.postponed += 1
                continue
            reason = _reason_not_to_send(followup, identity, talking, facts, settings)
            if reason is not None:
                followup.status, followup.note, followup.sent_at = (
                    FollowUpStatus.SKIPPED,
                    reason,
                    None,
                )
                done.skipped += 1
                continue
            channel = reach.get(identity.channel)
            if channel is not None and not channel.may_message(
                facts.last_heard.get(conversation.id), now
            ):
                followup.status, followup.sent_at = FollowUpStatus.UNDELIVERABLE, None
                followup.note = WINDOW_CLOSED.format(channel=identity.channel)
                done.undeliverable += 1
                continue
            if is_visit:  # the next visit to them this week is skipped
                facts.visited_chats.add(identity.id)
                if followup.customer_id is not None:
                    facts.visited_customers.add(followup.customer_id)
            by_staff = followup.kind == FollowUpKind.MESSAGE
            entry = OutboxEntry(
                identity.id,
                conversation.id,
                followup.text,
                sender=Sender.STAFF if by_staff else Sender.BOT,
                staff_id=followup.staff_id if by_staff else None,
            )
            sending.append((followup, entry))
        rows = await repos.outbox.add_many([entry for _, entry in sending], now)
        for (followup, _), row in zip(sending, rows, strict=True):
            followup.outbox_id = row.id
        done.sent += len(rows)


async def _facts(
    repos: Repositories,
    claimed: Sequence[FollowUp],
    settings: Settings,
    reach: Mapping[str, ChannelReach],
    now: datetime,
) -> _Facts:
    identities = await repos.identities.by_ids({f.identity_id for f in claimed})
    conversations = await repos.conversations.for_identities(list(identities), now)
    tickets = await repos.tickets.by_ids({f.ticket_id for f in claimed if f.ticket_id})
    visits = [f for f in claimed if f.kind in VISIT_KINDS]
    chats = {f.identity_id for f in visits}
    customers = {c for f in visits if (c := _customer(f, identities)) is not None}
    complaining_chats, complaining_customers = await repos.tickets.complaining(chats, customers)
    since = now - timedelta(days=settings.visit_every_days)
    visited_chats, visited_customers = await repos.followups.visited_since(
        chats, customers, since, excluding=[f.id for f in claimed]
    )
    windowed = [c.id for i, c in conversations.items() if identities[i].channel in reach]
    last = await repos.messages.last_from_customer(windowed)
    return _Facts(
        identities=identities,
        conversations=conversations,
        tickets=tickets,
        complaining_chats=complaining_chats,
        complaining_customers=complaining_customers,
        visited_chats=visited_chats,
        visited_customers=visited_customers,
        last_heard={conversation_id: m.created_at for conversation_id, m in last.items()},
    )


def _customer(followup: FollowUp, identities: Mapping[int, Identity]) -> int | None:
    """The customer a follow-up is for: known when scheduled, or since verified in its chat."""
    return followup.customer_id or identities[followup.identity_id].customer_id


def _reason_not_to_send(
    followup: FollowUp, identity: Identity, talking: bool, facts: _Facts, settings: Settings
) -> str | None:
    """Why this follow-up should not go now, or None."""
    ticket = facts.tickets.get(followup.ticket_id) if followup.ticket_id else None
    if followup.kind == FollowUpKind.RETURN_REMINDER:
        if ticket is None or ticket.status != TicketStatus.WAITING_CUSTOMER:
            return RETURN_MOVED_ON
        return None
    if followup.kind not in VISIT_KINDS:
        return None
    if talking:  # with a person for long: the visit is no longer about anything recent
        return TALKING_WITH_STAFF
    customer_id = _customer(followup, facts.identities)
    if identity.id in facts.complaining_chats or customer_id in facts.complaining_customers:
        return OPEN_COMPLAINT
    if identity.id in facts.visited_chats or customer_id in facts.visited_customers:
        return VISITED_LATELY.format(days=settings.visit_every_days)
    if followup.ticket_id is not None and (ticket is None or ticket.status not in VISITED_STATUSES):
        return TICKET_REOPENED
    return None
