"""Handovers: the queue for staff, who holds which conversation, and when it ended."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Update, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import (
    ACTIVE_TICKET_STATUSES,
    ConversationMode,
    HandoverEnd,
    HandoverStatus,
    Sender,
    TicketKind,
)
from storage.models import Conversation, Handover, Identity, OutboxMessage, Ticket


class HandoverRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _changed_one(self, statement: Update) -> bool:
        """Run a conditional UPDATE; True when it changed the one row it aimed at."""
        result = await self._session.execute(
            statement.execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1

    async def current(self, conversation_id: int) -> Handover | None:
        """The conversation's queued or active handover, if any."""
        return await self._session.scalar(
            select(Handover)
            .where(
                Handover.conversation_id == conversation_id, Handover.status != HandoverStatus.ENDED
            )
            .order_by(Handover.id.desc())
            .limit(1)
        )

    async def by_id(self, handover_id: int) -> Handover | None:
        return await self._session.get(Handover, handover_id)

    async def start(self, conversation_id: int, reason: str, now: datetime) -> Handover:
        handover = Handover(
            conversation_id=conversation_id,
            reason=reason,
            status=HandoverStatus.QUEUED,
            requested_at=now,
        )
        self._session.add(handover)
        await self._session.flush()
        return handover

    async def queued(self, limit: int = 200) -> Sequence[Handover]:
        """Waiting handovers, first come first served."""
        rows = await self._session.scalars(
            select(Handover)
            .where(Handover.status == HandoverStatus.QUEUED)
            .order_by(Handover.requested_at, Handover.id)
            .limit(limit)
        )
        return rows.all()

    async def active(self, staff_id: int | None = None) -> Sequence[Handover]:
        query = select(Handover).where(Handover.status == HandoverStatus.ACTIVE)
        if staff_id is not None:
            query = query.where(Handover.staff_id == staff_id)
        return (await self._session.scalars(query.order_by(Handover.taken_at))).all()

    async def position(self, handover: Handover) -> int:
        """Place in the queue, from 1."""
        ahead = await self._session.scalar(
            select(func.count())
            .select_from(Handover)
            .where(
                Handover.status == HandoverStatus.QUEUED,
                (Handover.requested_at < handover.requested_at)
                | ((Handover.requested_at == handover.requested_at) & (Handover.id < handover.id)),
            )
        )
        return (ahead or 0) + 1

    async def active_counts(self) -> dict[int, int]:
        """Active handovers per staff id."""
        rows = await self._session.execute(
            select(Handover.staff_id, func.count())
            .where(Handover.status == HandoverStatus.ACTIVE)
            .group_by(Handover.staff_id)
        )
        return {staff_id: count for staff_id, count in rows.all() if staff_id is not None}

    async def take(self, handover_id: int, staff_id: int, now: datetime) -> bool:
        """Give a queued handover to an agent; False when it was no longer queued.

        A conditional UPDATE, so two agents (or an agent and the assignment job) cannot both
        take it.
        """
        return await self._changed_one(
            update(Handover)
            .where(Handover.id == handover_id, Handover.status == HandoverStatus.QUEUED)
            .values(
                status=HandoverStatus.ACTIVE,
                staff_id=staff_id,
                taken_at=now,
                last_staff_message_at=now,
            )
        )

    async def back_to_queue(self, handover_id: int) -> bool:
        """An agent's handover waits again, in its old place; False when it was not active."""
        return await self._changed_one(
            update(Handover)
            .where(Handover.id == handover_id, Handover.status == HandoverStatus.ACTIVE)
            .values(
                status=HandoverStatus.QUEUED,
                staff_id=None,
                taken_at=None,
                last_staff_message_at=None,
            )
        )

    async def touch(self, handover_id: int, now: datetime) -> None:
        """Record a staff message: the idle time counts from here."""
        await self._session.execute(
            update(Handover)
            .where(Handover.id == handover_id)
            .values(last_staff_message_at=now)
            .execution_options(synchronize_session="fetch")
        )

    async def end(self, handover_id: int, reason: str, now: datetime) -> bool:
        """End a queued or active handover; False when it had ended already."""
        return await self._changed_one(
            update(Handover)
            .where(Handover.id == handover_id, Handover.status != HandoverStatus.ENDED)
            .values(status=HandoverStatus.ENDED, end_reason=reason, ended_at=now)
        )

    async def leave_queue(self, handover_id: int, now: datetime) -> bool:
        """End a handover still waiting (the customer left); False once an agent took it."""
        return await self._changed_one(
            update(Handover)
            .where(Handover.id == handover_id, Handover.status == HandoverStatus.QUEUED)
            .values(status=HandoverStatus.ENDED, end_reason=HandoverEnd.LEFT_QUEUE, ended_at=now)
        )

    async def end_idle(self, handover_id: int, before: datetime, now: datetime) -> bool:
        """End an active handover with no staff message since `before`; False otherwise."""
        return await self._changed_one(
            update(Handover)
            .where(
                Handover.id == handover_id,
                Handover.status == HandoverStatus.ACTIVE,
                Handover.last_staff_message_at < before,
            )
            .values(status=HandoverStatus.ENDED, end_reason=HandoverEnd.IDLE, ended_at=now)
        )

    async def conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation handed over, as stored now."""
        return await self._session.get(Conversation, conversation_id, populate_existing=True)

    async def hold(self, conversation_id: int, staff_id: int, now: datetime) -> bool:
        """Give the conversation to an agent; False when one holds it already (atomic)."""
        return await self._changed_one(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.mode != ConversationMode.HUMAN)
            .values(mode=ConversationMode.HUMAN, staff_id=staff_id, dialog=None, updated_at=now)
        )

    async def release(self, conversation_id: int, staff_id: int | None, now: datetime) -> bool:
        """Give a conversation the agent holds back to the bot; False when they do not hold it."""
        return await self._changed_one(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.mode == ConversationMode.HUMAN,
                Conversation.staff_id == staff_id,
            )
            .values(mode=ConversationMode.BOT, staff_id=None, updated_at=now)
        )

    async def open_callback(self, identity_id: int) -> Ticket | None:
        """The chat's callback ticket still waiting for staff, if any."""
        return await self._session.scalar(
            select(Ticket)
            .where(
                Ticket.identity_id == identity_id,
                Ticket.kind == TicketKind.CALLBACK,
                Ticket.status.in_(ACTIVE_TICKET_STATUSES),
            )
            .order_by(Ticket.id.desc())
            .limit(1)
        )

    async def idle_since(self, before: datetime) -> Sequence[Handover]:
        """Active handovers with no staff message since `before`."""
        rows = await self._session.scalars(
            select(Handover).where(
                Handover.status == HandoverStatus.ACTIVE, Handover.last_staff_message_at < before
            )
        )
        return rows.all()

    async def requested_between(self, start: datetime, end: datetime) -> Sequence[Handover]:
        rows = await self._session.scalars(
            select(Handover).where(Handover.requested_at >= start, Handover.requested_at < end)
        )
        return rows.all()

    async def end_queued(self, handover_id: int, reason: str, now: datetime) -> bool:
        """End a handover still waiting (e.g. "closed"); False once an agent took it."""
        return await self._changed_one(
            update(Handover)
            .where(Handover.id == handover_id, Handover.status == HandoverStatus.QUEUED)
            .values(status=HandoverStatus.ENDED, end_reason=reason, ended_at=now)
        )

    async def unqueue(self, conversation_id: int, now: datetime) -> bool:
        """Give a waiting conversation back to the bot; False when it was not waiting."""
        return await self._changed_one(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.mode == ConversationMode.QUEUED)
            .values(mode=ConversationMode.BOT, staff_id=None, updated_at=now)
        )

    async def requeue(self, conversation_id: int, staff_id: int, now: datetime) -> bool:
        """Put a conversation the agent holds back in the queue; False when they do not hold it."""
        return await self._changed_one(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.mode == ConversationMode.HUMAN,
                Conversation.staff_id == staff_id,
            )
            .values(mode=ConversationMode.QUEUED, staff_id=None, updated_at=now)
        )

    async def held_by(self, staff_id: int) -> Sequence[Conversation]:
        """The conversations this staff member holds now."""
        rows = await self._session.scalars(
            select(Conversation)
            .where(Conversation.mode == ConversationMode.HUMAN, Conversation.staff_id == staff_id)
            .order_by(Conversation.id)
        )
        return rows.all()

    async def identity(self, identity_id: int) -> Identity | None:
        """The chat identity a conversation belongs to."""
        return await self._session.get(Identity, identity_id)

    async def sent_lately(
        self, conversation_id: int, staff_id: int, text: str, since: datetime
    ) -> bool:
        """True when this staff member queued this very text to the conversation since then."""
        found = await self._session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.conversation_id == conversation_id,
                OutboxMessage.staff_id == staff_id,
                OutboxMessage.sender == Sender.STAFF,
                OutboxMessage.text == text,
                OutboxMessage.created_at >= since,
            )
            .limit(1)
        )
        return found is not None
