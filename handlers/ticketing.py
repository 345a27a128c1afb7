"""Opening tickets from the chat: numbers customers can quote, promised times, staff alerts."""

from datetime import datetime, timedelta

from bot.settings import Settings
from handlers.business_hours import next_opening
from handlers.context import Context
from handlers.ticket_numbers import PREFIXES
from storage.models import Ticket


def deadlines(
    kind: str, severity: str, now: datetime, settings: Settings
) -> tuple[datetime, datetime]:
    """When the first response and the resolution are due, by kind and severity."""
    if kind == "callback":
        # Asked for out of hours: the clock starts when staff are back at work.
        due = next_opening(now, settings) + timedelta(hours=settings.callback_hours)
        return due, due
    if severity == "urgent":
        first, resolution = settings.urgent_first_response_hours, settings.urgent_resolution_hours
    elif kind == "complaint":
        first = settings.complaint_first_response_hours
        resolution = settings.complaint_resolution_hours
    else:
        first = settings.after_sales_first_response_hours
        resolution = settings.after_sales_resolution_hours
    return now + timedelta(hours=first), now + timedelta(hours=resolution)


async def open_ticket(
    ctx: Context,
    kind: str,
    *,
    severity: str = "normal",
    order_id: int | None = None,
    order_item_id: int | None = None,
    request_type: str | None = None,
    category: str | None = None,
    reason: str = "",
    description: str = "",
    media: list[str] | None = None,
    within_policy: bool = True,
    policy_note: str = "",
    notice: str = "",
) -> Ticket:
    """Store a new ticket for this chat's customer and tell staff about it.

    `notice` is the staff notification's text, "{number}" standing for the new ticket's
    number ("urgent complaint {number}: threat (12315)"); by default "new KIND NUMBER".
    """
    now = ctx.clock.now()
    day = now.astimezone(ctx.settings.zone).strftime("%Y%m%d")
    first_response_due, resolution_due = deadlines(kind, severity, now, ctx.settings)
    ticket = await ctx.repos.tickets.add(
        Ticket(
            kind=kind,
            status="open",
            identity_id=ctx.identity.id,
            customer_id=ctx.identity.customer_id,
            order_id=order_id,
            order_item_id=order_item_id,
            request_type=request_type,
            category=category,
            severity=severity,
            reason=reason,
            description=description,
            media=list(media or []),
            within_policy=within_policy,
            policy_note=policy_note,
            first_response_due=first_response_due,
            resolution_due=resolution_due,
            created_at=now,
            updated_at=now,
        ),
        prefix=f"{PREFIXES[kind]}{day}-",
    )
    text = notice.replace("{number}", ticket.number) if notice else f"new {kind} {ticket.number}"
    await ctx.repos.notifications.add(ticket.id, text, urgent=severity == "urgent", now=now)
    return ticket
