"""Sending follow-ups whose time has come (DESIGN §6).

Each follow-up is claimed, judged and turned into an outbox row in one transaction: the
claim is a conditional update, so with two processes on one database each follow-up is sent
once; a crash before the commit leaves it scheduled, to be sent by the next run. The outbox
then delivers it like any other message.

Rules, in the order they are checked:
- quiet hours: nothing the bot times itself goes out in them; what waited through them is
  released over the first half hour after (`quiet_hours.released_at`);
- visits: none while a person talks with the customer or a complaint of theirs is open, none
  within a week (setting) of another visit to the same customer, none for a ticket reopened
  since; those are `skipped`, with the reason in `note`;
- reminders for a return: none once the ticket moved on;
- the channel's window: a channel may refuse to message a customer now (the Official Account
  allows it only within 48 hours of their last message): the follow-up is `undeliverable`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.followups import VISITED_STATUSES
from bot.quiet_hours import is_quiet, last_quiet_end, released_at
from bot.settings import Settings
from storage.models import FollowUp, Identity
from storage.repositories import Repositories

BATCH = 500


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

    @property
    def any(self) -> bool:
        return bool(self.sent or self.skipped or self.undeliverable or self.released)


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
            await followups.move({row_id: released_at(end, subject) for row_id, subject in waiting})
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
        for followup_id in due:
            outcome = await _send_one(sessions, followup_id, clock, settings, reach)
            if outcome == "sent":
                done.sent += 1
            elif outcome == "skipped":
                done.skipped += 1
            elif outcome == "undeliverable":
                done.undeliverable += 1
        if len(due) < batch:
            return done


async def _send_one(
    sessions: async_sessionmaker[AsyncSession],
    followup_id: int,
    clock: Clock,
    settings: Settings,
    reach: Mapping[str, ChannelReach],
) -> str | None:
    """Claim and send one follow-up; its new status, or None when another worker had it."""
    now = clock.now()
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        # The claim comes first: on SQLite it takes the write lock, so the checks below read
        # what every other process has committed.
        if not await repos.followups.claim(followup_id, now):
            return None
        followup = await repos.followups.get(followup_id)
        identity = await repos.identities.by_id(followup.identity_id) if followup else None
        assert followup is not None and identity is not None
        conversation = await repos.conversations.for_identity(identity.id, now)
        reason = await _reason_not_to_send(
            repos, followup, identity, conversation.mode, settings, now
        )
        if reason is not None:
            followup.status, followup.note, followup.sent_at = "skipped", reason, None
            return "skipped"
        channel = reach.get(identity.channel)
        if channel is not None:
            last = await repos.messages.last_from_customer([conversation.id])
            heard = last[conversation.id].created_at if conversation.id in last else None
            if not channel.may_message(heard, now):
                followup.status, followup.sent_at = "undeliverable", None
                followup.note = f"{identity.channel}: the customer's window is closed"
                return "undeliverable"
        sender = "staff" if followup.kind == "message" else "bot"
        staff_id = followup.staff_id if sender == "staff" else None
        row = await repos.outbox.add(
            identity.id, conversation.id, followup.text, now, sender=sender, staff_id=staff_id
        )
        followup.outbox_id = row.id
        return "sent"


async def _reason_not_to_send(
    repos: Repositories,
    followup: FollowUp,
    identity: Identity,
    mode: str,
    settings: Settings,
    now: datetime,
) -> str | None:
    """Why this follow-up should not go now, or None."""
    if followup.kind == "return_reminder":
        ticket = await repos.tickets.get(followup.ticket_id) if followup.ticket_id else None
        if ticket is None or ticket.status != "waiting_customer":
            return "the return moved on before the reminder"
        return None
    if followup.kind != "visit":
        return None
    if mode != "bot":
        return "the customer is talking with a person"
    customer_id = followup.customer_id or identity.customer_id
    if await repos.tickets.has_active_complaint(identity.id, customer_id):
        return "the customer has an open complaint"
    since = now - timedelta(days=settings.visit_every_days)
    if await repos.followups.visit_sent_since(customer_id, identity.id, since, followup.id):
        return f"visited within {settings.visit_every_days:g} days"
    if followup.ticket_id is not None:
        ticket = await repos.tickets.get(followup.ticket_id)
        if ticket is None or ticket.status not in VISITED_STATUSES:
            return "the ticket was reopened"
    return None
