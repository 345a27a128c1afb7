"""Tickets (after-sales requests, complaints …) with their history."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import (
    ACTIVE_TICKET_STATUSES,
    FINISHED_TICKET_STATUSES,
    FollowUpKind,
    Sender,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from storage.models import (
    Conversation,
    Customer,
    FollowUp,
    Identity,
    Order,
    Ticket,
    TicketEvent,
)
from storage.repositories.dialect import hold_locks
from storage.repositories.lookups import chats_and_customers

NUMBER_ATTEMPTS = 5
# After-sales requests that staff approve and the customer then sends the goods back for.
RETURN_REQUEST_TYPES = ("return", "exchange")
# The history entry of that approval: the parcel is awaited from then on.
RETURN_APPROVED = TicketEventKind.APPROVED

Query = TypeVar("Query", bound=Select[Any])


@dataclass(frozen=True)
class TicketParties:
    """Whom a ticket concerns: the chat it came from and that chat's conversation, the
    customer (the ticket's, or the chat's once verified) and the order."""

    identity: Identity
    conversation_id: int | None
    customer: Customer | None
    order_no: str | None


@dataclass(frozen=True)
class ListedTicket:
    """A ticket in a listing, with the deadlines it has missed (see `overdue_conditions`)."""

    ticket: Ticket
    response_overdue: bool  # unanswered past the first-response deadline
    resolution_overdue: bool  # unresolved past the resolution deadline

    @property
    def overdue(self) -> bool:
        return self.response_overdue or self.resolution_overdue


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, prefix: str) -> str:
        """The next number with this prefix, e.g. "AS20261129-" → "AS20261129-0007"."""
        last = await self._session.scalar(
            select(Ticket.number)
            .where(Ticket.number.startswith(prefix))
            .order_by(func.length(Ticket.number).desc(), Ticket.number.desc())
            .limit(1)
        )
        sequence = int(last.removeprefix(prefix)) if last else 0
        return f"{prefix}{sequence + 1:04d}"

    async def add(
        self, ticket: Ticket, prefix: str | None = None, author: str = Sender.BOT
    ) -> Ticket:
        """Store a new ticket and its first history entry.

        With a `prefix` the ticket gets the next free number with it; two tickets opened at
        once by two processes each get a number of their own.
        """
        if prefix:
            # Ticket numbers of one day come one transaction at a time across processes: many
            # tickets opened at once would otherwise keep picking the same next number.
            await hold_locks(self._session, [f"ticket-number:{prefix}"])
        for attempt in range(NUMBER_ATTEMPTS if prefix else 1):
            if prefix:
                ticket.number = await self.next_number(prefix)
            try:
                async with self._session.begin_nested():
                    self._session.add(ticket)
                break
            except IntegrityError:
                if attempt == NUMBER_ATTEMPTS - 1:
                    raise
        self._session.add(
            TicketEvent(
                ticket_id=ticket.id,
                time=ticket.created_at,
                kind=TicketEventKind.CREATED,
                to_status=ticket.status,
                author=author,
            )
        )
        await self._session.flush()
        return ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        return await self._session.get(Ticket, ticket_id)

    async def by_number(self, number: str) -> Ticket | None:
        return await self._session.scalar(select(Ticket).where(Ticket.number == number.upper()))

    async def for_owner(
        self, identity_id: int, customer_id: int | None, limit: int = 5
    ) -> Sequence[Ticket]:
        """The newest tickets opened from this chat or for this (verified) customer."""
        result = await self._session.scalars(
            select(Ticket)
            .where(_owned_by(identity_id, customer_id))
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return result.all()

    async def owned_by_number(
        self, number: str, identity_id: int, customer_id: int | None
    ) -> Ticket | None:
        """The ticket with this number if this chat or customer owns it.

        One query, the same whether the ticket belongs to someone else or does not exist.
        """
        return await self._session.scalar(
            select(Ticket).where(
                Ticket.number == number.upper(), _owned_by(identity_id, customer_id)
            )
        )

    async def identity_of(self, ticket: Ticket) -> Identity:
        """The chat identity the ticket was opened from: where its customer is told news."""
        identity = await self._session.get(Identity, ticket.identity_id)
        assert identity is not None  # a foreign key
        return identity

    async def order_number(self, ticket: Ticket) -> str | None:
        if ticket.order_id is None:
            return None
        return await self._session.scalar(select(Order.order_no).where(Order.id == ticket.order_id))

    async def parties(self, tickets: Sequence[Ticket]) -> dict[int, TicketParties]:
        """Each ticket's chat, conversation, customer and order number, by ticket id, in one
        query."""
        if not tickets:
            return {}
        rows = await self._session.execute(
            select(Ticket.id, Identity, Conversation.id, Customer, Order.order_no)
            .join(Identity, Identity.id == Ticket.identity_id)
            .outerjoin(Conversation, Conversation.identity_id == Identity.id)
            # A chat verified after the ticket was opened shows its customer too.
            .outerjoin(
                Customer, Customer.id == func.coalesce(Ticket.customer_id, Identity.customer_id)
            )
            .outerjoin(Order, Order.id == Ticket.order_id)
            .where(Ticket.id.in_([t.id for t in tickets]))
        )
        return {ticket_id: TicketParties(*found) for ticket_id, *found in rows.all()}

    async def complaints_since(self, identity_id: int, since: datetime) -> int:
        """How many complaints this chat opened since a time."""
        return (
            await self._session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    Ticket.identity_id == identity_id,
                    Ticket.kind == TicketKind.COMPLAINT,
                    Ticket.created_at >= since,
                )
            )
            or 0
        )

    async def active_complaint_since(
        self, identity_id: int, since: datetime, category: str | None = None
    ) -> Ticket | None:
        """This chat's newest complaint (of this category, if given) opened since a time and
        still being worked on."""
        query = select(Ticket).where(
            Ticket.identity_id == identity_id,
            Ticket.kind == TicketKind.COMPLAINT,
            Ticket.status.in_(ACTIVE_TICKET_STATUSES),
            Ticket.created_at >= since,
        )
        if category is not None:
            query = query.where(Ticket.category == category)
        return await self._session.scalar(query.order_by(Ticket.id.desc()).limit(1))

    async def by_ids(self, ticket_ids: Collection[int]) -> dict[int, Ticket]:
        if not ticket_ids:
            return {}
        result = await self._session.scalars(select(Ticket).where(Ticket.id.in_(list(ticket_ids))))
        return {ticket.id: ticket for ticket in result.all()}

    async def complaining(
        self, identity_ids: Collection[int], customer_ids: Collection[int]
    ) -> tuple[set[int], set[int]]:
        """Which of these chats and customers have a complaint still being worked on:
        (identity ids, customer ids)."""
        return await chats_and_customers(
            self._session,
            Ticket.identity_id,
            Ticket.customer_id,
            identity_ids,
            customer_ids,
            Ticket.kind == TicketKind.COMPLAINT,
            Ticket.status.in_(ACTIVE_TICKET_STATUSES),
        )

    async def near_deadlines(self, now: datetime, soon: timedelta) -> list[tuple[Ticket, int, int]]:
        """Active tickets with a deadline within `soon` (or past) that staff were not yet
        reminded of at that stage, each with the stage of its two deadlines (see
        `reminder_stages`)."""
        response, resolution = reminder_stages(now, soon)
        rows = await self._session.execute(
            select(Ticket, response, resolution)
            .where(
                Ticket.status.in_(ACTIVE_TICKET_STATUSES),
                or_(Ticket.response_reminded < response, Ticket.resolution_reminded < resolution),
            )
            .order_by(Ticket.id)
        )
        return [(ticket, int(first), int(last)) for ticket, first, last in rows.all()]

    async def mark_reminded(self, ticket_id: int, deadline: str, stage: int) -> bool:
        """Record that staff were reminded of a deadline ("response" or "resolution") at a
        stage (1 near, 2 overdue); False when another process did it first."""
        column = Ticket.response_reminded if deadline == "response" else Ticket.resolution_reminded
        result = await self._session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, column < stage)
            .values({column: stage})
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def returns_not_sent(self, before: datetime, limit: int = 500) -> Sequence[Ticket]:
        """Returns and exchanges approved before a time and still waiting for the customer's
        parcel (their answer would have moved the ticket on), not yet reminded."""
        approved = (
            select(TicketEvent.ticket_id, func.max(TicketEvent.time).label("time"))
            .where(TicketEvent.kind == RETURN_APPROVED)
            .group_by(TicketEvent.ticket_id)
            .subquery()
        )
        reminded = select(FollowUp.id).where(
            FollowUp.ticket_id == Ticket.id, FollowUp.kind == FollowUpKind.RETURN_REMINDER
        )
        result = await self._session.scalars(
            select(Ticket)
            .join(approved, approved.c.ticket_id == Ticket.id)
            .where(
                Ticket.kind == TicketKind.AFTER_SALES,
                Ticket.request_type.in_(RETURN_REQUEST_TYPES),
                Ticket.status == TicketStatus.WAITING_CUSTOMER,
                approved.c.time <= before,
                ~reminded.exists(),
            )
            .order_by(Ticket.id)
            .limit(limit)
        )
        return result.all()

    async def search(
        self,
        status: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int | None = 200,
    ) -> Sequence[Ticket]:
        """Tickets newest first, filtered; `limit` None returns every match (reports count
        them all)."""
        query = _filtered(select(Ticket), status, kind, since).order_by(Ticket.id.desc())
        if limit is not None:
            query = query.limit(limit)
        result = await self._session.scalars(query)
        return result.all()

    async def listing(
        self,
        now: datetime,
        status: str | None = None,
        kind: str | None = None,
        overdue_only: bool = False,
        limit: int = 200,
    ) -> list[ListedTicket]:
        """Tickets newest first, each with the deadlines it has missed by `now`.

        The flags and the `overdue_only` filter are the same SQL (`overdue_conditions`).
        """
        response_missed, resolution_missed = overdue_conditions(now)
        query = _filtered(
            select(
                Ticket,
                response_missed.label("response_overdue"),
                resolution_missed.label("resolution_overdue"),
            ),
            status,
            kind,
            None,
        )
        if overdue_only:
            query = query.where(or_(response_missed, resolution_missed))
        rows = await self._session.execute(query.order_by(Ticket.id.desc()).limit(limit))
        return [
            ListedTicket(ticket, bool(response), bool(resolution))
            for ticket, response, resolution in rows.all()
        ]

    async def waiting_for_answer(self, identity_id: int) -> Ticket | None:
        """This chat's ticket waiting for the customer that was last asked to reply.

        "Last asked" is the newest change to waiting_customer in its history.
        """
        asked = (
            select(TicketEvent.ticket_id, func.max(TicketEvent.id).label("last"))
            .where(TicketEvent.to_status == TicketStatus.WAITING_CUSTOMER)
            .group_by(TicketEvent.ticket_id)
            .subquery()
        )
        return await self._session.scalar(
            select(Ticket)
            .outerjoin(asked, asked.c.ticket_id == Ticket.id)
            .where(
                Ticket.identity_id == identity_id, Ticket.status == TicketStatus.WAITING_CUSTOMER
            )
            .order_by(asked.c.last.desc().nulls_last(), Ticket.id.desc())
            .limit(1)
        )

    async def answer_in_chat(self, identity_id: int, customer_id: int | None, now: datetime) -> int:
        """A person wrote to this chat: its customer's tickets still waiting for a first
        response have it now; how many."""
        result = await self._session.execute(
            update(Ticket)
            .where(
                _owned_by(identity_id, customer_id),
                Ticket.status.in_(ACTIVE_TICKET_STATUSES),
                Ticket.first_response_at.is_(None),
            )
            .values(first_response_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    async def add_event(
        self,
        ticket: Ticket,
        now: datetime,
        kind: str,
        text: str = "",
        public: bool = False,
        author: str = Sender.BOT,
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
            if ticket.first_response_at is None and to_status != TicketStatus.OPEN:
                ticket.first_response_at = now
            if to_status in FINISHED_TICKET_STATUSES and ticket.resolved_at is None:
                ticket.resolved_at = now
            elif to_status in ACTIVE_TICKET_STATUSES:
                ticket.resolved_at = None  # reopened: it is resolved when it is finished again
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

    async def counts_created_between(
        self, start: datetime, end: datetime
    ) -> dict[tuple[str, str, str | None], int]:
        """Tickets created in [start, end) per (kind, status, category)."""
        rows = await self._session.execute(
            select(Ticket.kind, Ticket.status, Ticket.category, func.count())
            .where(Ticket.created_at >= start, Ticket.created_at < end)
            .group_by(Ticket.kind, Ticket.status, Ticket.category)
        )
        return {(kind, status, category): n for kind, status, category, n in rows.all()}

    async def first_responses_between(
        self, start: datetime, end: datetime, now: datetime
    ) -> tuple[int, int]:
        """Tickets created in [start, end): (first response in time, late or missed by `now`)."""
        # Unanswered tickets not yet due cannot be judged either way: they count in neither.
        answered = Ticket.first_response_at.is_not(None)
        in_time = answered & (Ticket.first_response_at <= Ticket.first_response_due)
        late = answered & (Ticket.first_response_at > Ticket.first_response_due)
        missed = late | (~answered & (Ticket.first_response_due < now))
        row = await self._session.execute(
            select(func.count(case((in_time, 1))), func.count(case((missed, 1)))).where(
                Ticket.created_at >= start, Ticket.created_at < end
            )
        )
        met, not_met = row.one()
        return int(met), int(not_met)


def overdue_conditions(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The one definition of an overdue ticket: still being worked on, and unanswered past its
    first-response deadline (the first condition) or unresolved past its resolution deadline
    (the second)."""
    active = Ticket.status.in_(ACTIVE_TICKET_STATUSES)
    return (
        active & Ticket.first_response_at.is_(None) & (Ticket.first_response_due < now),
        active & (Ticket.resolution_due < now),
    )


def reminder_stages(
    now: datetime, soon: timedelta
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """The reminder stage each deadline of a ticket has reached by `now`: 0 none yet, 1 due
    within `soon`, 2 overdue. A first response already given has no stage."""
    unanswered = Ticket.first_response_at.is_(None)
    response = case(
        (unanswered & (Ticket.first_response_due < now), 2),
        (unanswered & (Ticket.first_response_due < now + soon), 1),
        else_=0,
    )
    resolution = case(
        (Ticket.resolution_due < now, 2),
        (Ticket.resolution_due < now + soon, 1),
        else_=0,
    )
    return response, resolution


def _filtered(query: Query, status: str | None, kind: str | None, since: datetime | None) -> Query:
    if status is not None:
        query = query.where(Ticket.status == status)
    if kind is not None:
        query = query.where(Ticket.kind == kind)
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    return query


def _owned_by(identity_id: int, customer_id: int | None) -> ColumnElement[bool]:
    """Tickets opened from this chat, or for this customer once the chat is bound to one."""
    owner = Ticket.identity_id == identity_id
    if customer_id is not None:
        return or_(owner, Ticket.customer_id == customer_id)
    return owner
