"""Tickets (after-sales requests, complaints …) with their history."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket, TicketEvent

# Statuses in which a ticket still needs work.
ACTIVE_STATUSES = ("open", "in_progress", "waiting_customer")


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, prefix: str) -> str:
        """The next number with this prefix, e.g. "AS20261129-" → "AS20261129-0007"."""
        count = await self._session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.number.startswith(prefix))
        )
        return f"{prefix}{(count or 0) + 1:04d}"

    async def add(self, ticket: Ticket, author: str = "bot") -> Ticket:
        """Store a new ticket and the first entry of its history."""
        self._session.add(ticket)
        await self._session.flush()
        self._session.add(
            TicketEvent(
                ticket_id=ticket.id,
                time=ticket.created_at,
                kind="created",
                to_status=ticket.status,
                author=author,
            )
        )
        await self._session.flush()
        return ticket

    async def by_number(self, number: str) -> Ticket | None:
        return await self._session.scalar(select(Ticket).where(Ticket.number == number.upper()))

    async def for_owner(
        self, identity_id: int, customer_id: int | None, limit: int = 5
    ) -> Sequence[Ticket]:
        """The newest tickets opened from this chat or for this (verified) customer."""
        owner = Ticket.identity_id == identity_id
        if customer_id is not None:
            owner = or_(owner, Ticket.customer_id == customer_id)
        result = await self._session.scalars(
            select(Ticket).where(owner).order_by(Ticket.id.desc()).limit(limit)
        )
        return result.all()

    async def complaints_since(self, identity_id: int, since: datetime) -> int:
        """How many complaints this chat opened since a time."""
        return (
            await self._session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    Ticket.identity_id == identity_id,
                    Ticket.kind == "complaint",
                    Ticket.created_at >= since,
                )
            )
            or 0
        )

    async def search(
        self,
        status: str | None = None,
        kind: str | None = None,
        overdue_at: datetime | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> Sequence[Ticket]:
        """Tickets newest first, filtered; `overdue_at` keeps active ones past a deadline then."""
        query = select(Ticket)
        if status is not None:
            query = query.where(Ticket.status == status)
        if kind is not None:
            query = query.where(Ticket.kind == kind)
        if since is not None:
            query = query.where(Ticket.created_at >= since)
        if overdue_at is not None:
            query = query.where(
                Ticket.status.in_(ACTIVE_STATUSES),
                or_(
                    Ticket.resolution_due < overdue_at,
                    (Ticket.first_response_at.is_(None)) & (Ticket.first_response_due < overdue_at),
                ),
            )
        result = await self._session.scalars(query.order_by(Ticket.id.desc()).limit(limit))
        return result.all()

    async def add_event(
        self,
        ticket: Ticket,
        now: datetime,
        kind: str,
        text: str = "",
        public: bool = False,
        author: str = "bot",
        to_status: str | None = None,
    ) -> TicketEvent:
        """Record a status change or a note; a status change also updates the ticket."""
        event = TicketEvent(
            ticket_id=ticket.id,
            time=now,
            kind=kind,
            from_status=ticket.status if to_status else None,
            to_status=to_status,
            text=text,
            public=public,
            author=author,
        )
        if to_status is not None:
            ticket.status = to_status
            if ticket.first_response_at is None and to_status != "open":
                ticket.first_response_at = now
            if to_status in ("resolved", "rejected") and ticket.resolved_at is None:
                ticket.resolved_at = now
        ticket.updated_at = now
        self._session.add(event)
        await self._session.flush()
        return event

    async def events(self, ticket: Ticket) -> Sequence[TicketEvent]:
        result = await self._session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
        return result.all()

    async def latest_public_note(self, ticket: Ticket) -> str | None:
        """The newest note staff wrote for the customer."""
        return await self._session.scalar(
            select(TicketEvent.text)
            .where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.public.is_(True),
                TicketEvent.text != "",
            )
            .order_by(TicketEvent.id.desc())
            .limit(1)
        )
