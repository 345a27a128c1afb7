"""Console: 工单 — the ticket list with filters, one ticket with its history, updates, and
the approval of a return or exchange."""

# Updates go through bot.desk.tickets, as the command line's do: the history event and, when the
# customer should hear of it, the outbox message are written together.

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import acting
from bot.console.templates import render
from bot.desk import audit
from bot.desk.conversation_views import chat_label
from bot.desk.customer_profiles import masked_phone
from bot.desk.media import media_references
from bot.desk.tickets import (
    ListedTicket,
    ReturnNotApprovable,
    TicketDetail,
    TicketNotFound,
    TicketParties,
    approve_return,
    list_tickets,
    show_ticket,
    ticket_parties,
    update_ticket,
)
from core.enums import TicketKind, TicketStatus

TICKET_KINDS = tuple(TicketKind)
TICKET_STATUSES = tuple(TicketStatus)
LIST_LIMIT = 100
NOTE_LIMIT = 2000
NOTICES = {
    "updated": "已保存",
    "sent": "已保存，并已通知客户",
    "unchanged": "状态没有变化，未做修改",
    "approved": "已同意退换货，并已通知客户寄回",
}
# Why an approval was refused (bot.desk.tickets.REFUSALS), as staff read it.
APPROVAL_REFUSALS = {
    "not_a_return": "只有退货、换货的售后工单可以同意退换货",
    "finished": "工单已经结束，请先重新打开",
    "approved": "这个工单已经同意过退换货了",
}


@dataclass(frozen=True)
class TicketCustomer:
    """Whom a ticket is with, as staff read it: the verified customer's name and masked phone,
    the chat it came from and that chat's conversation page."""

    name: str | None  # None until the chat is verified as a customer
    phone: str
    chat: str  # "网页 · c8-allergy"
    conversation_id: int | None


@dataclass(frozen=True)
class TicketRow:
    """A listed ticket with its customer and its order's number."""

    listed: ListedTicket
    customer: TicketCustomer
    order_no: str | None


def ticket_customer(parties: TicketParties) -> TicketCustomer:
    """The ticket's customer as the pages show it: the phone masked, the chat by name."""
    customer = parties.customer
    return TicketCustomer(
        name=customer.name if customer else None,
        phone=masked_phone(customer.phone) if customer else "",
        chat=chat_label(parties.identity.channel, parties.identity.external_id),
        conversation_id=parties.conversation_id,
    )


@dataclass(frozen=True)
class TicketForm:
    """The update form as typed, kept when it is refused."""

    status: str = ""
    note: str = ""
    public: bool = False


@dataclass(frozen=True)
class ApprovalForm:
    """The approval form as typed, kept when it is refused; its note goes to the customer
    unless unticked."""

    note: str = ""
    public: bool = True


async def list_page(request: web.Request) -> web.Response:
    """GET /console/tickets?kind=&status=&overdue=1: tickets newest first."""
    services = request.config_dict[SERVICES]
    kind = request.query.get("kind", "").strip()
    status = request.query.get("status", "").strip()
    overdue = request.query.get("overdue", "") == "1"
    error = ""
    if kind and kind not in TICKET_KINDS:
        error = f"没有「{kind}」这种工单类型"
    elif status and status not in TICKET_STATUSES:
        error = f"没有「{status}」这种工单状态"
    rows: list[TicketRow] = []
    if not error:
        listed = await list_tickets(
            services.sessions,
            services.clock,
            status=status or None,
            kind=kind or None,
            overdue=overdue,
            limit=LIST_LIMIT,
        )
        rows = await _with_customers(request, listed)
    context = {
        "section": "tickets",
        "rows": rows,
        "limit": LIST_LIMIT,
        "kinds": TICKET_KINDS,
        "statuses": TICKET_STATUSES,
        "filters": {"kind": kind, "status": status, "overdue": overdue},
        "error": error,
    }
    return render(request, "tickets.html", context, status=400 if error else 200)


async def ticket_page(request: web.Request) -> web.Response:
    """GET /console/tickets/{number}: every field, the history and the update form."""
    notice = NOTICES.get(request.query.get("notice", ""), "")
    return await _detail_page(request, notice=notice)


async def update(request: web.Request) -> web.Response:
    """POST /console/tickets/{number}: change the status and/or add a note."""
    services = request.config_dict[SERVICES]
    form = await request.post()
    typed = TicketForm(
        status=form_text(form, "status").strip(),
        note=form_text(form, "note"),
        public=form.get("public") is not None,
    )
    note = typed.note.strip()
    if typed.status and typed.status not in TICKET_STATUSES:
        return await _refused(request, typed, f"没有「{typed.status}」这种工单状态，请从列表中选择")
    if len(note) > NOTE_LIMIT:
        return await _refused(request, typed, f"备注最多 {NOTE_LIMIT} 个字（现在 {len(note)} 个）")
    if not typed.status and not note:
        return await _refused(request, typed, "请选择新的状态或填写备注")
    try:
        result = await update_ticket(
            services.sessions,
            request.match_info["number"],
            status=typed.status or None,
            note=note or None,
            public=typed.public,
            actor=acting(request),
            texts=services.assistant.texts,
            settings=services.settings,
        )
    except TicketNotFound:
        return _not_found(request)
    ticket = result.detail.ticket
    changes = [f"status → {ticket.status}"] if result.status_changed else []
    if note:
        changes.append("public note" if typed.public else "internal note")
    if changes:
        await _audit(request, "ticket_update", ticket.number, "; ".join(changes))
    if result.customer_message:
        notice = "sent"
    elif changes:
        notice = "updated"
    else:
        notice = "unchanged"
    raise web.HTTPFound(f"/console/tickets/{quote(ticket.number)}?notice={notice}")


async def approve(request: web.Request) -> web.Response:
    """POST /console/tickets/{number}/approve-return: approve a return or exchange; the
    customer is told where to send it."""
    services = request.config_dict[SERVICES]
    form = await request.post()
    typed = ApprovalForm(note=form_text(form, "note"), public=form.get("public") is not None)
    note = typed.note.strip()
    if len(note) > NOTE_LIMIT:
        error = f"留言最多 {NOTE_LIMIT} 个字（现在 {len(note)} 个）"
        return await _detail_page(request, approval=typed, approval_error=error, status=400)
    try:
        result = await approve_return(
            services.sessions,
            request.match_info["number"],
            note=note or None,
            public=typed.public,
            actor=acting(request),
            texts=services.assistant.texts,
            settings=services.settings,
        )
    except TicketNotFound:
        return _not_found(request)
    except ReturnNotApprovable as refusal:
        error = APPROVAL_REFUSALS[refusal.reason]
        return await _detail_page(request, approval=typed, approval_error=error, status=400)
    number = result.detail.ticket.number
    detail = ("public note" if typed.public else "internal note") if note else ""
    await _audit(request, "ticket_approve_return", number, detail)
    raise web.HTTPFound(f"/console/tickets/{quote(number)}?notice=approved")


async def _audit(request: web.Request, action: str, number: str, detail: str) -> None:
    """Record in the audit log that the signed-in staff member did `action` to the ticket."""
    await audit.record(
        request.config_dict[SERVICES].sessions, acting(request), action, number, detail
    )


async def _refused(request: web.Request, typed: TicketForm, error: str) -> web.Response:
    return await _detail_page(request, form=typed, error=error, status=400)


async def _detail_page(
    request: web.Request,
    *,
    form: TicketForm | None = None,
    error: str = "",
    approval: ApprovalForm | None = None,
    approval_error: str = "",
    notice: str = "",
    status: int = 200,
) -> web.Response:
    services = request.config_dict[SERVICES]
    try:
        detail = await show_ticket(services.sessions, request.match_info["number"])
    except TicketNotFound:
        return _not_found(request)
    context: dict[str, Any] = {
        "section": "tickets",
        "detail": detail,
        "ticket": detail.ticket,
        "customer": ticket_customer(detail.parties),
        "media": media_references(detail.ticket.media),
        "overdue": _overdue(detail, services.clock.now()),
        "statuses": TICKET_STATUSES,
        "form": form or TicketForm(),
        "error": error,
        "approval": approval or ApprovalForm(),
        "approval_error": approval_error,
        "return_address": services.settings.return_address.strip(),
        "reminder_days": f"{services.settings.return_reminder_days:g}",
        "notice": notice,
    }
    return render(request, "ticket.html", context, status=status)


def _not_found(request: web.Request) -> web.Response:
    context = {"section": "tickets", "number": request.match_info["number"]}
    return render(request, "tickets_not_found.html", context, status=404)


async def _with_customers(request: web.Request, listed: Sequence[ListedTicket]) -> list[TicketRow]:
    sessions = request.config_dict[SERVICES].sessions
    found = await ticket_parties(sessions, [item.ticket for item in listed])
    return [
        TicketRow(item, ticket_customer(found[item.ticket.id]), found[item.ticket.id].order_no)
        for item in listed
    ]


def _overdue(detail: TicketDetail, now: datetime) -> list[str]:
    """The deadlines this ticket has missed, as the listing's overdue_conditions define them."""
    ticket = detail.ticket
    if not TicketStatus(ticket.status).active:
        return []
    missed = []
    if ticket.first_response_at is None and ticket.first_response_due < now:
        missed.append("响应超时")
    if ticket.resolution_due < now:
        missed.append("处理超时")
    return missed


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tickets", list_page)
    app.router.add_get("/tickets/{number}", ticket_page)
    app.router.add_post("/tickets/{number}", update)
    app.router.add_post("/tickets/{number}/approve-return", approve)
