"""Working tickets from the staff side: list, show, update.

The command line uses these now and the staff console will too. An update that the customer
should hear about (every status change, every note meant for them) writes its outbox message
in the same transaction as the change, so neither is kept without the other.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.followups import schedule_ticket_visit
from bot.settings import Settings
from knowledge import ReplyTexts
from storage.models import TICKET_KINDS, TICKET_STATUSES, Ticket, TicketEvent
from storage.repositories import Repositories
from storage.repositories.tickets import ListedTicket

# Kinds with their own words for a rejection; the others get the general ones.
REJECTION_WORDED_KINDS = ("after_sales", "complaint")


class TicketNotFound(LookupError):
    """No ticket has this number."""


@dataclass(frozen=True)
class TicketDetail:
    """A ticket with its history, the chat it came from and its order's number."""

    ticket: Ticket
    events: Sequence[TicketEvent]
    channel: str
    user: str
    order_no: str | None


@dataclass(frozen=True)
class TicketUpdate:
    detail: TicketDetail
    status_changed: bool
    customer_message: str | None  # what was queued for the customer, if anything


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
    async with sessions() as session:
        return await Repositories.for_session(session).tickets.listing(
            clock.now(), status=status, kind=kind, overdue_only=overdue, limit=limit
        )


async def show_ticket(sessions: async_sessionmaker[AsyncSession], number: str) -> TicketDetail:
    async with sessions() as session:
        repos = Repositories.for_session(session)
        ticket = await _find(repos, number)
        return await _detail(repos, ticket)


async def update_ticket(
    sessions: async_sessionmaker[AsyncSession],
    number: str,
    *,
    status: str | None = None,
    note: str | None = None,
    public: bool = False,
    author: str = "staff",
    staff_id: int | None = None,
    clock: Clock,
    texts: ReplyTexts,
    settings: Settings,
) -> TicketUpdate:
    """Change a ticket's status and/or add a note, and tell the customer what concerns them.

    A note is internal unless `public`. Setting the status it already has changes nothing.
    A ticket resolved (by `staff_id`, when a console user) gets its satisfaction visit.
    Raises ValueError for an unknown status or an update with nothing in it, TicketNotFound
    for an unknown number.
    """
    _check_choice("status", status, TICKET_STATUSES)
    note = (note or "").strip() or None
    if status is None and note is None:
        raise ValueError("nothing to update: give a status or a note")
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        ticket = await _find(repos, number)
        now = clock.now()
        lines: list[str] = []
        status_changed = status is not None and status != ticket.status
        if status_changed:
            await repos.tickets.add_event(ticket, now, "status", author=author, to_status=status)
            noted = note is not None and public
            lines.append(_status_words(texts, ticket, status, noted=noted))
            await schedule_ticket_visit(repos, ticket, settings, texts, now, staff_id)
        if note is not None:
            await repos.tickets.add_event(
                ticket, now, "note", text=note, public=public, author=author
            )
            if public:
                lines.append(texts.render("ticket_public_note", note=note))
                if ticket.first_response_at is None:
                    ticket.first_response_at = now  # a word to the customer answers them
        message = "\n".join(lines) or None
        if message is not None:
            identity = await repos.tickets.identity_of(ticket)
            conversation = await repos.conversations.for_identity(identity.id, now)
            sender = "staff" if note is not None and public else "bot"
            await repos.outbox.add(identity.id, conversation.id, message, now, sender=sender)
        detail = await _detail(repos, ticket)
    return TicketUpdate(detail, status_changed, message)


def _status_words(texts: ReplyTexts, ticket: Ticket, status: str, *, noted: bool) -> str:
    """What the customer is told of the new status; `noted` when staff's note goes with it.

    A rejection is worded for what was turned down, and points to a note only when one is sent.
    """
    if status != "rejected":
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
    identity = await repos.tickets.identity_of(ticket)
    return TicketDetail(
        ticket=ticket,
        events=await repos.tickets.events(ticket),
        channel=identity.channel,
        user=identity.external_id,
        order_no=await repos.tickets.order_number(ticket),
    )


def _check_choice(name: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise ValueError(f"unknown {name} {value!r}: one of {', '.join(choices)}")
