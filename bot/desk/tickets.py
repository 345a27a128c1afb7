"""Working tickets from the staff side: list, show, update, approve a return.

The command line and the staff console use these. An update that the customer should hear
about (every status change, every note meant for them, an approval) writes its outbox message
in the same transaction as the change, so neither is kept without the other.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.actor import Actor
from bot.desk.unit_of_work import unit_of_work
from bot.outreach.followups import schedule_ticket_visit
from core.clock import Clock
from core.enums import ACTIVE_TICKET_STATUSES, Sender, TicketEventKind, TicketKind, TicketStatus
from core.settings import Settings
from knowledge import ReplyTexts
from storage.models import TICKET_KINDS, TICKET_STATUSES, Customer, Ticket, TicketEvent
from storage.repositories import Repositories
from storage.repositories.tickets import (
    RETURN_APPROVED,
    RETURN_REQUEST_TYPES,
    ListedTicket,
    TicketParties,
)

# Kinds with their own words for a rejection; the others get the general ones.
REJECTION_WORDED_KINDS = (TicketKind.AFTER_SALES, TicketKind.COMPLAINT)


class TicketNotFound(LookupError):
    """No ticket has this number."""


class ReturnNotApprovable(ValueError):
    """The ticket is no return or exchange waiting for approval; `reason` is one of
    REFUSALS' keys."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number}: {REFUSALS[reason]}")
        self.reason = reason


# Why a ticket cannot have its return approved, as the command line says it.
REFUSALS = {
    "not_a_return": "only an after-sales return or exchange can be approved",
    "finished": "the ticket is finished; reopen it first",
    "approved": "the return was approved already",
}


@dataclass(frozen=True)
class TicketDetail:
    """A ticket with its history, the chat it came from and its order's number."""

    ticket: Ticket
    events: Sequence[TicketEvent]
    parties: TicketParties  # its chat, conversation, customer and order number

    @property
    def channel(self) -> str:
        return self.parties.identity.channel

    @property
    def user(self) -> str:
        return self.parties.identity.external_id

    @property
    def order_no(self) -> str | None:
        return self.parties.order_no

    @property
    def customer(self) -> Customer | None:
        """The ticket's customer, or its chat's once verified."""
        return self.parties.customer

    @property
    def can_approve_return(self) -> bool:
        return return_approval_refusal(self.ticket, self.events) is None


@dataclass(frozen=True)
class TicketUpdate:
    detail: TicketDetail
    status_changed: bool
    customer_message: str | None  # what was queued for the customer, if anything
    return_approved: bool = False


async def list_tickets(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool = False,
    limit: int = 200,
) -> Sequence[ListedTicket]:
    """Tickets newest first, each with the deadlines it has missed now; `overdue` keeps the
    active ones past a deadline."""
    _check_choice("status", status, TICKET_STATUSES)
    _check_choice("kind", kind, TICKET_KINDS)
    async with unit_of_work(sessions) as repos:
        return await repos.tickets.listing(
            clock.now(), status=status, kind=kind, overdue_only=overdue, limit=limit
        )


async def show_ticket(sessions: async_sessionmaker[AsyncSession], number: str) -> TicketDetail:
    async with unit_of_work(sessions) as repos:
        ticket = await _find(repos, number)
        return await _detail(repos, ticket)


async def update_ticket(
    sessions: async_sessionmaker[AsyncSession],
    number: str,
    *,
    status: str | None = None,
    note: str | None = None,
    public: bool = False,
    actor: Actor,
    texts: ReplyTexts,
    settings: Settings,
) -> TicketUpdate:
    """Change a ticket's status and/or add a note, and tell the customer what concerns them.

    A note is internal unless `public`. Setting the status it already has changes nothing.
    A ticket resolved (by a console user, when the actor is one) gets its satisfaction visit.
    Raises ValueError for an unknown status or an update with nothing in it, TicketNotFound
    for an unknown number.
    """
    _check_choice("status", status, TICKET_STATUSES)
    note = (note or "").strip() or None
    if status is None and note is None:
        raise ValueError("nothing to update: give a status or a note")
    async with unit_of_work(sessions) as repos:
        ticket = await _find(repos, number)
        lines: list[str] = []
        noted = note is not None and public
        status_changed = status is not None and status != ticket.status
        if status_changed:
            await repos.tickets.add_event(
                ticket, actor.at, TicketEventKind.STATUS, author=actor.name, to_status=status
            )
            lines.append(_status_words(texts, ticket, status, noted=noted))
            await schedule_ticket_visit(repos, ticket, settings, texts, actor.at, actor.staff_id)
        lines += await _add_note(repos, ticket, note, public, texts, actor)
        message = await _tell_customer(repos, ticket, lines, noted, actor)
        detail = await _detail(repos, ticket)
    return TicketUpdate(detail, status_changed, message)


async def approve_return(
    sessions: async_sessionmaker[AsyncSession],
    number: str,
    *,
    note: str | None = None,
    public: bool = False,
    actor: Actor,
    texts: ReplyTexts,
    settings: Settings,
) -> TicketUpdate:
    """Approve a return or exchange: the ticket waits for the customer's parcel, and the
    customer is told where to send it (`settings.return_address`) and to send the tracking
    number back.

    Without an address the message points to staff's note when a public one goes with it, or
    says staff will send the address. A note is internal unless `public`; the actor, when a
    console user, signs a public one. Raises ReturnNotApprovable (see REFUSALS), TicketNotFound
    for an unknown number.
    """
    note = (note or "").strip() or None
    async with unit_of_work(sessions) as repos:
        ticket = await _find(repos, number)
        reason = return_approval_refusal(ticket, await repos.tickets.events(ticket))
        if reason is not None:
            raise ReturnNotApprovable(ticket.number, reason)
        status_changed = ticket.status != TicketStatus.WAITING_CUSTOMER
        # One entry that is both the approval and the change to waiting_customer: the
        # customer's next message is their answer to it (see waiting_for_answer).
        await repos.tickets.add_event(
            ticket,
            actor.at,
            RETURN_APPROVED,
            author=actor.name,
            to_status=TicketStatus.WAITING_CUSTOMER,
        )
        noted = note is not None and public
        lines = [_approval_words(texts, ticket, settings, noted=noted)]
        lines += await _add_note(repos, ticket, note, public, texts, actor)
        message = await _tell_customer(repos, ticket, lines, noted, actor)
        detail = await _detail(repos, ticket)
    return TicketUpdate(detail, status_changed, message, return_approved=True)


async def ticket_parties(
    sessions: async_sessionmaker[AsyncSession], tickets: Sequence[Ticket]
) -> dict[int, TicketParties]:
    """Each ticket's chat, conversation, customer and order number, by ticket id."""
    async with unit_of_work(sessions) as repos:
        return await repos.tickets.parties(tickets)


def return_approval_refusal(ticket: Ticket, events: Sequence[TicketEvent]) -> str | None:
    """Why this ticket's return cannot be approved now (a REFUSALS key), or None."""
    if ticket.kind != TicketKind.AFTER_SALES or ticket.request_type not in RETURN_REQUEST_TYPES:
        return "not_a_return"
    if ticket.status not in ACTIVE_TICKET_STATUSES:
        return "finished"
    if any(event.kind == RETURN_APPROVED for event in events):
        return "approved"
    return None


async def _add_note(
    repos: Repositories,
    ticket: Ticket,
    note: str | None,
    public: bool,
    texts: ReplyTexts,
    actor: Actor,
) -> list[str]:
    """Record staff's note, if any; the lines the customer is to read of it."""
    if note is None:
        return []
    await repos.tickets.add_event(
        ticket, actor.at, TicketEventKind.NOTE, text=note, public=public, author=actor.name
    )
    if not public:
        return []
    if ticket.first_response_at is None:
        ticket.first_response_at = actor.at  # a word to the customer answers them
    return [texts.render("ticket_public_note", note=note)]


async def _tell_customer(
    repos: Repositories,
    ticket: Ticket,
    lines: Sequence[str],
    noted: bool,
    actor: Actor,
) -> str | None:
    """Queue the lines for the ticket's chat as one message, from staff (the actor, when a
    console user) when their note is in it; the message, or None when there is nothing to say."""
    message = "\n".join(lines) or None
    if message is not None:
        identity = await repos.tickets.identity_of(ticket)
        conversation = await repos.conversations.for_identity(identity.id, actor.at)
        sender, writer = (Sender.STAFF, actor.staff_id) if noted else (Sender.BOT, None)
        await repos.outbox.add(
            identity.id, conversation.id, message, actor.at, sender=sender, staff_id=writer
        )
    return message


def _approval_words(texts: ReplyTexts, ticket: Ticket, settings: Settings, *, noted: bool) -> str:
    """The approval as the customer reads it: where to send the parcel, or where to look."""
    fields = {
        "number": ticket.number,
        "request": texts.render(f"aftersales_type_{ticket.request_type}"),
    }
    address = settings.return_address.strip()
    if address:
        return texts.render("ticket_return_approved", address=address, **fields)
    if noted:
        return texts.render("ticket_return_approved_noted", **fields)
    return texts.render("ticket_return_approved_no_address", **fields)


def _status_words(texts: ReplyTexts, ticket: Ticket, status: str, *, noted: bool) -> str:
    """What the customer is told of the new status; `noted` when staff's note goes with it.

    A rejection is worded for what was turned down, and points to a note only when one is sent.
    """
    if status != TicketStatus.REJECTED:
        return texts.render(f"ticket_status_{status}", number=ticket.number)
    kind = ticket.kind if ticket.kind in REJECTION_WORDED_KINDS else "other"
    name = f"ticket_rejected_{kind}_noted" if noted else f"ticket_rejected_{kind}"
    return texts.render(name, number=ticket.number)


async def _find(repos: Repositories, number: str) -> Ticket:
    ticket = await repos.tickets.by_number(number.strip())
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


async def _detail(repos: Repositories, ticket: Ticket) -> TicketDetail:
    return TicketDetail(
        ticket=ticket,
        events=await repos.tickets.events(ticket),
        parties=(await repos.tickets.parties([ticket]))[ticket.id],
    )


def _check_choice(name: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise ValueError(f"unknown {name} {value!r}: one of {', '.join(choices)}")
