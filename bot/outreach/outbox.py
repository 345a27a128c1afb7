"""Delivering the outbox (DESIGN §2): messages the bot sends on its own, stored first.

Each due row is claimed with an atomic conditional update, committed before the platform is
called, so two workers (or two processes on one PostgreSQL) never send the same row; right
after the platform's answer, a short transaction of its own records the row sent (and the
outgoing message in the conversation). A failed try is retried later, and given up after a
few tries.

A claim is a lease. When the process dies between claiming a row and recording the result,
nobody knows whether the platform got the message; once the lease runs out the row is taken
again, and what happens depends on the channel:
- a channel that drops a repeat of the same delivery key (the web chat, whose delivery is
  the stored message; WeCom, which refuses a second message with the same msgid) is sent it
  again: delivered at least once, shown once;
- any other (the Official Account's custom/send, Wechaty) is not: the row fails with a reason
  staff see on the conversation page, and is delivered at most once.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# How long a claimed row is left to its worker before another one may take it.
LEASE = timedelta(minutes=5)
# The wait after the 1st, 2nd, … failed attempt; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = 5


# Why an interrupted row is not sent again on a channel that cannot drop a repeat.
INTERRUPTED = (
    "interrupted: kefu stopped while sending this message, so it may or may not have reached "
    "the customer; it is not sent again, so that it is never sent twice"
)


class ChannelSender(Protocol):
    # True when a second delivery with the same key cannot reach the customer twice.
    dedupes: bool

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        """Send `text` to the channel's user `user`; raise when it could not be sent.

        `key` is the same on every try of one outbox row: a platform that drops repeats of a
        client message id is given it. Raise `WindowClosed` when the platform will not take
        messages for this user now.
        """
        ...


class WindowClosed(Exception):
    """The platform refuses messages to this user until they write again (e.g. WeChat's
    48-hour window): retrying cannot help, so the row fails at once, with the reason."""


@dataclass(frozen=True)
class _Claimed:
    """What a worker needs from a row it claimed, read inside the claiming transaction."""

    row_id: int
    attempt: int
    interrupted: bool  # the last claim of the row never recorded its result
    key: str  # the same on every try of the row
    channel: str
    user: str
    identity_id: int
    conversation_id: int
    text: str
    sender: str
    staff_id: int | None


async def deliver_outbox(
    sessions: async_sessionmaker[AsyncSession],
    senders: Mapping[str, ChannelSender],
    clock: Clock,
    *,
    lease: timedelta = LEASE,
    retry_delays: Sequence[timedelta] = RETRY_DELAYS,
    max_attempts: int = MAX_ATTEMPTS,
    batch: int = 100,
    reported_channels: set[str] | None = None,
) -> int:
    """Deliver the rows due now, one claim at a time; the number delivered.

    Rows for a channel without a sender stay pending; each such channel is logged once per
    `reported_channels` set (a long-running caller keeps one).
    """
    reported = set() if reported_channels is None else reported_channels
    async with sessions() as session:
        outbox = Repositories.for_session(session).outbox
        for channel in await outbox.due_channels(clock.now()):
            if channel not in senders and channel not in reported:
                log.warning("no sender for channel %r: its outbox messages wait", channel)
                reported.add(channel)
        due = await outbox.due_ids(clock.now(), batch, channels=list(senders))
    delivered = 0
    for row_id in due:
        claimed = await _claim(sessions, row_id, clock, lease)
        if claimed is None:
            continue  # another worker has it
        sender = senders[claimed.channel]
        if claimed.interrupted and not sender.dedupes:
            await _record_failure(sessions, claimed, INTERRUPTED, None)
            log.error("outbox row %d to %s: %s", claimed.row_id, claimed.channel, INTERRUPTED)
            continue
        if claimed.attempt > max_attempts:
            # Claimed before by workers that never finished: do not try for ever.
            await _record_failure(sessions, claimed, "gave up: attempts ran out", None)
            log.error("outbox row %d failed: no attempt finished", claimed.row_id)
            continue
        try:
            await sender.deliver(claimed.user, claimed.text, claimed.key)
        except WindowClosed as closed:
            await _record_failure(sessions, claimed, f"window closed: {closed}", None)
            log.warning("outbox row %d to %s: window closed", claimed.row_id, claimed.channel)
            continue
        except Exception as error:  # any failure of the transport is retried
            await _failed(sessions, claimed, error, clock, retry_delays, max_attempts)
            continue
        if await _sent(sessions, claimed, clock):
            delivered += 1
    return delivered


async def _claim(
    sessions: async_sessionmaker[AsyncSession], row_id: int, clock: Clock, lease: timedelta
) -> _Claimed | None:
    async with sessions() as session, session.begin():
        outbox = Repositories.for_session(session).outbox
        claimed_as = await outbox.claim(row_id, clock.now(), lease)
        if claimed_as is None:
            return None
        row, identity = await outbox.get(row_id)
        return _Claimed(
            row_id=row.id,
            attempt=row.attempts,
            interrupted=claimed_as == "interrupted",
            # With the row's time, so a fresh database's row 1 is not an old row 1 again.
            key=f"outbox:{row.id}:{row.created_at.isoformat()}",
            channel=identity.channel,
            user=identity.external_id,
            identity_id=identity.id,
            conversation_id=row.conversation_id,
            text=row.text,
            sender=row.sender,
            staff_id=row.staff_id,
        )


async def _sent(
    sessions: async_sessionmaker[AsyncSession], claimed: _Claimed, clock: Clock
) -> bool:
    """Store the delivered message in the conversation and mark the row sent, together."""
    now = clock.now()
    async with sessions() as session:
        repos = Repositories.for_session(session)
        message = await repos.messages.add_outgoing(
            claimed.conversation_id,
            claimed.identity_id,
            claimed.text,
            claimed.sender,
            now,
            staff_id=claimed.staff_id,
        )
        if await repos.outbox.mark_sent(claimed.row_id, claimed.attempt, message.id, now):
            await session.commit()
            return True
        # The lease ran out and another worker took the row: its delivery is the one kept.
        await session.rollback()
    log.warning("outbox row %d: the claim expired during delivery", claimed.row_id)
    return False


async def _failed(
    sessions: async_sessionmaker[AsyncSession],
    claimed: _Claimed,
    error: Exception,
    clock: Clock,
    retry_delays: Sequence[timedelta],
    max_attempts: int,
) -> None:
    reason = f"{type(error).__name__}: {error}"
    if claimed.attempt >= max_attempts or not retry_delays:
        await _record_failure(sessions, claimed, reason, None)
        log.error(
            "outbox row %d to %s failed after %d attempts: %s",
            claimed.row_id,
            claimed.channel,
            claimed.attempt,
            reason,
        )
        return
    delay = retry_delays[min(claimed.attempt, len(retry_delays)) - 1]
    await _record_failure(sessions, claimed, reason, clock.now() + delay)
    log.warning(
        "outbox row %d to %s failed (attempt %d), retrying in %s: %s",
        claimed.row_id,
        claimed.channel,
        claimed.attempt,
        delay,
        reason,
    )


async def _record_failure(
    sessions: async_sessionmaker[AsyncSession],
    claimed: _Claimed,
    reason: str,
    retry_at: datetime | None,
) -> None:
    async with sessions() as session, session.begin():
        await Repositories.for_session(session).outbox.mark_failed(
            claimed.row_id, claimed.attempt, reason, retry_at
        )
