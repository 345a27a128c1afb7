"""Opening tickets from the chat: numbers customers can quote, promised times, staff alerts."""

from datetime import datetime, timedelta
from typing import TypedDict, Unpack

from core.enums import TicketKind, TicketStatus
from core.settings import Settings
from core.shop_time import after_business_hours
from core.ticket_numbers import PREFIXES
from handlers.context import Context
from storage.models import Identity, Ticket
from storage.repositories import Repositories

# Ticket kinds as staff read them in notifications (the console's labels say the same).
KIND_NAMES = {
    TicketKind.AFTER_SALES: "售后",
    TicketKind.COMPLAINT: "投诉",
    TicketKind.CALLBACK: "回电",
    TicketKind.FOLLOWUP: "回访跟进",
}


def deadlines(
    kind: str, severity: str, now: datetime, settings: Settings
) -> tuple[datetime, datetime]:
    """When the first response and the resolution are due, by kind and severity.

    The first response counts staff time only (a promise made at night runs from the
    morning); the resolution counts calendar time, but never comes before the first response.
    """
    if kind == TicketKind.CALLBACK:
        first_hours = resolution_hours = settings.callback_hours
    elif severity == "urgent":
        first_hours = settings.urgent_first_response_hours
        resolution_hours = settings.urgent_resolution_hours
    elif kind == TicketKind.COMPLAINT:
        first_hours = settings.complaint_first_response_hours
        resolution_hours = settings.complaint_resolution_hours
    else:
        first_hours = settings.after_sales_first_response_hours
        resolution_hours = settings.after_sales_resolution_hours
    first_due = after_business_hours(now, first_hours, settings)
    return first_due, max(now + timedelta(hours=resolution_hours), first_due)


class TicketFields(TypedDict, total=False):
    """What a new ticket may say beyond its kind; all optional."""

    severity: str
    order_id: int | None
    order_item_id: int | None
    request_type: str | None
    category: str | None
    reason: str
    description: str
    media: list[str] | None
    within_policy: bool
    policy_note: str
    notice: str


async def add_ticket(
    repos: Repositories,
    settings: Settings,
    now: datetime,
    identity: Identity,
    kind: str,
    **fields: Unpack[TicketFields],
) -> Ticket:
    """Store a new ticket for the chat's customer and tell staff about it (no chat needed).

    `notice` is the staff notification's text, "{number}" standing for the new ticket's
    number ("紧急投诉 {number}: 扬言投诉12315"); by default `new_ticket_notice(kind)`.
    """
    severity = fields.get("severity", "normal")
    notice = fields.get("notice") or new_ticket_notice(kind)
    day = now.astimezone(settings.zone).strftime("%Y%m%d")
    first_response_due, resolution_due = deadlines(kind, severity, now, settings)
    ticket = await repos.tickets.add(
        Ticket(
            kind=kind,
            status=TicketStatus.OPEN,
            identity_id=identity.id,
            customer_id=identity.customer_id,
            order_id=fields.get("order_id"),
            order_item_id=fields.get("order_item_id"),
            request_type=fields.get("request_type"),
            category=fields.get("category"),
            severity=severity,
            reason=fields.get("reason", ""),
            description=fields.get("description", ""),
            media=list(fields.get("media") or []),
            within_policy=fields.get("within_policy", True),
            policy_note=fields.get("policy_note", ""),
            first_response_due=first_response_due,
            resolution_due=resolution_due,
            created_at=now,
            updated_at=now,
        ),
        prefix=f"{PREFIXES[kind]}{day}-",
    )
    text = notice.replace("{number}", ticket.number)
    await repos.notifications.add(ticket.id, text, urgent=severity == "urgent", now=now)
    return ticket


def new_ticket_notice(kind: str, detail: str = "") -> str:
    """The staff notification for a new ticket, "{number}" standing for its number:
    "新投诉 {number}", with a detail "新投诉 {number}（物流）"."""
    notice = f"新{KIND_NAMES[kind]} {{number}}"
    return f"{notice}（{detail}）" if detail else notice


async def open_ticket(ctx: Context, kind: str, **fields: Unpack[TicketFields]) -> Ticket:
    """Store a new ticket for this chat's customer and tell staff about it (see add_ticket)."""
    return await add_ticket(ctx.repos, ctx.settings, ctx.clock.now(), ctx.identity, kind, **fields)
