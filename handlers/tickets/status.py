"""A customer asking how their after-sales requests and complaints are going.

"我的售后进度" lists this chat's (and, once verified, this customer's) newest tickets; a ticket
number answers for that ticket. A number that is someone else's, or no ticket's at all, gets
one and the same answer, so a stranger learns neither its status nor that it exists.
A progress question without a subject ("多久能处理好", "处理好了吗") is about the tickets when
one of them is still being worked on.
"""

from core.enums import ACTIVE_TICKET_STATUSES, TicketStatus
from core.messages import Reply
from core.patterns import ticket_numbers
from handlers.context import Context
from handlers.orders.views import local_time
from handlers.words import asks_ticket_progress
from storage.models import Ticket

# While a ticket is in these states the customer is told by when to expect a result.
PROMISED_STATES = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
MAX_LISTED = 5


class TicketStatusRule:
    name = "ticket_status"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> dict[str, list[str]] | None:
        if not asks_ticket_progress(ctx.text):
            # "多久能处理好" right after a ticket was opened asks after that ticket.
            if not asks_ticket_progress(ctx.text, has_active_ticket=True):
                return None
            if not await has_active_ticket(ctx):
                return None
        return {"numbers": ticket_numbers(ctx.text)}

    async def handle(self, ctx: Context, found: dict[str, list[str]]) -> list[Reply]:
        if found["numbers"]:
            return [await self._one(ctx, number) for number in found["numbers"]]
        return [await self._all(ctx)]

    async def _one(self, ctx: Context, number: str) -> Reply:
        ticket = await ctx.repos.tickets.owned_by_number(
            number, ctx.identity.id, ctx.identity.customer_id
        )
        if ticket is None:
            return ctx.say("ticket_not_found", number=number)
        return Reply("\n".join(await _ticket_lines(ctx, ticket)))

    async def _all(self, ctx: Context) -> Reply:
        tickets = await _owned_tickets(ctx)
        if not tickets:
            return ctx.say("ticket_none")
        lines = [ctx.texts.render("ticket_list_heading", count=len(tickets))]
        for ticket in tickets:
            lines.extend(await _ticket_lines(ctx, ticket))
        lines.append(ctx.texts.render("ticket_list_footer"))
        return Reply("\n".join(lines))


async def _owned_tickets(ctx: Context) -> list[Ticket]:
    """This chat's (or customer's) newest tickets, loaded once per message."""
    if "owned_tickets" not in ctx.memo:
        ctx.memo["owned_tickets"] = list(
            await ctx.repos.tickets.for_owner(
                ctx.identity.id, ctx.identity.customer_id, limit=MAX_LISTED
            )
        )
    return ctx.memo["owned_tickets"]


async def has_active_ticket(ctx: Context) -> bool:
    """Whether one of this chat's (or customer's) newest tickets is still being worked on."""
    return any(ticket.status in ACTIVE_TICKET_STATUSES for ticket in await _owned_tickets(ctx))


async def _ticket_lines(ctx: Context, ticket: Ticket) -> list[str]:
    """The ticket's number, kind and status in words, and the latest note for the customer."""
    fields = {
        "number": ticket.number,
        "kind": ctx.texts.render(f"ticket_kind_{ticket.kind}"),
        "state": ctx.texts.render(f"ticket_state_{ticket.status}"),
    }
    now = ctx.clock.now()
    if ticket.status in PROMISED_STATES and ticket.resolution_due > now:
        due = local_time(ticket.resolution_due, ctx.settings.zone)
        lines = [ctx.texts.render("ticket_list_line_due", due=due, **fields)]
    else:
        lines = [ctx.texts.render("ticket_list_line", **fields)]
    note = await ctx.repos.tickets.latest_public_note(ticket)
    if note:
        lines.append(ctx.texts.render("ticket_list_note", note=note))
    return lines
