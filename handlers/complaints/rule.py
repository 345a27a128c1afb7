"""Complaints: recognised before anything else, apologised for, recorded as tickets.

A complaint opens a ticket at once, with a category and a severity; a severe one (a threat to
go to 12315, a lawyer, the press …) or a second one within a day is urgent and puts the
conversation in the queue for a person. While the chat's complaint of the last day is still
being worked on, a new complaint is added to it (and makes it urgent) instead of opening
another ticket. When the message does not say what happened, the bot asks, and the answer
is added to the same ticket. What else the complaint asks for is not
dropped: a return or refund request starts the after-sales dialog, and a late parcel is shown
(once the chat is verified as the order's owner). A question whether the shop can be trusted
("我朋友说你们是骗子，是真的吗") is answered from the FAQ, not recorded.
"""

from dataclasses import dataclass
from datetime import timedelta

from core.enums import HandoverReason, TicketKind
from core.messages import Reply
from core.patterns import order_references
from core.shop_time import is_open
from handlers.complaints.state import ComplaintDetail
from handlers.complaints.words import (
    COMPLAINT_TERMS,
    TRUST_FAQ_CATEGORY,
    ComplaintSignal,
    asks,
    asks_about_trust,
    classify,
    is_unclear,
    names_after_sales,
    recognise,
    severe_reason,
)
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.handover.rule import back_time, request_person
from handlers.logistics.rule import WHERE_IS_IT
from handlers.orders.rule import MY_ORDERS
from handlers.orders.views import local_time, parcel_detail
from handlers.tickets.opening import deadlines, new_ticket_notice, open_ticket
from handlers.verification.binding import open_order
from handlers.words import asks_ticket_progress, contains_any
from knowledge import FaqItem
from knowledge.normalize import clean, matched_part
from storage.models import Order, Ticket

REPEAT_WINDOW = timedelta(hours=24)
# Complaint categories as staff read them in notifications (the console's labels say the same).
CATEGORY_NAMES = {
    "logistics": "物流",
    "quality": "质量",
    "service": "服务",
    "price": "价格",
    "other": "其他",
}


@dataclass(frozen=True)
class TrustQuestion:
    """A question whether the shop can be trusted, and the FAQ entry that answers it."""

    entry: FaqItem


async def verified_order(ctx: Context) -> Order | None:
    """The order the complaint is about (named in it, or the topic of the conversation), only
    when this chat is verified as its owner."""
    customer_id = ctx.identity.customer_id
    references = order_references(ctx.text)
    reference = references[0] if references else ctx.memory.get("order_no")
    if customer_id is None or not reference:
        return None
    owner = await ctx.repos.orders.owner(reference)
    if owner is None or owner.customer_id != customer_id:
        return None
    ctx.memory["order_no"] = owner.order_no
    return await ctx.repos.orders.by_number(owner.order_no)


def trust_answer(ctx: Context) -> FaqItem | None:
    """The FAQ's authenticity entry closest to the question."""
    for match in ctx.faq_matches:
        if match.entry.category == TRUST_FAQ_CATEGORY:
            return match.entry
    return None


async def queue_for_a_person(ctx: Context) -> None:
    """Queue the chat for staff in business hours; the complaint's reply already says so."""
    await request_person(ctx, reason=HandoverReason.COMPLAINT)


def urgent_promise(ctx: Context, template: str, **fields: str) -> str:
    """An urgent promise of a person; out of hours its "_closed" form says when staff are back."""
    now = ctx.clock.now()
    if is_open(now, ctx.settings):
        return ctx.texts.render(template, **fields)
    back = back_time(ctx.texts, now, ctx.settings)
    return ctx.texts.render(f"{template}_closed", back=back, **fields)


def acknowledgement(ctx: Context, ticket: Ticket, category: str) -> Reply:
    """The apology, the ticket number and by when a person answers."""
    due = local_time(ticket.first_response_due, ctx.settings.zone)
    if ticket.severity == "urgent":
        promise = urgent_promise(ctx, "complaint_urgent", number=ticket.number, due=due)
    else:
        promise = ctx.texts.render("complaint_recorded", number=ticket.number, due=due)
    return Reply("\n".join((ctx.texts.render(f"complaint_apology_{category}"), promise)))


def added_acknowledgement(ctx: Context, ticket: Ticket, category: str) -> Reply:
    """The apology for a complaint added to the ticket already open, and that ticket's number.

    The time promised is the ticket's first-response deadline, or, when that has passed
    unanswered, the urgent response time from now, or out of hours from when staff are back
    (the ticket stays overdue for staff)."""
    now = ctx.clock.now()
    promised = ticket.first_response_due
    if promised <= now:
        promised, _ = deadlines(TicketKind.COMPLAINT, "urgent", now, ctx.settings)
    due = local_time(promised, ctx.settings.zone)
    promise = urgent_promise(ctx, "complaint_added", number=ticket.number, due=due)
    return Reply("\n".join((ctx.texts.render(f"complaint_apology_{category}"), promise)))


async def add_to_ticket(ctx: Context, ticket: Ticket, text: str) -> None:
    """What the customer said, added to the ticket's description and history."""
    ticket.description = f"{ticket.description}\n{text}".strip()
    await ctx.repos.tickets.add_event(ticket, ctx.clock.now(), "note", text=text, author="customer")
    if ticket.category in (None, "other"):
        ticket.category = classify(matched_part(ticket.description))


async def escalate(ctx: Context, ticket: Ticket, reasons: list[str]) -> None:
    """Make the ticket urgent: sooner deadlines, an urgent alert, a person in the queue."""
    now = ctx.clock.now()
    first, resolution = deadlines(TicketKind.COMPLAINT, "urgent", ticket.created_at, ctx.settings)
    ticket.severity = "urgent"
    ticket.first_response_due = min(ticket.first_response_due, max(first, now))
    ticket.resolution_due = min(ticket.resolution_due, max(resolution, now))
    if not is_open(now, ctx.settings) and ticket.first_response_due > now:
        # Staff are gone: nothing is due before they are back and had time to answer. A
        # deadline already missed stays missed.
        back_due, _ = deadlines(TicketKind.COMPLAINT, "urgent", now, ctx.settings)
        ticket.first_response_due = max(ticket.first_response_due, back_due)
        ticket.resolution_due = max(ticket.resolution_due, ticket.first_response_due)
    notice = urgent_notice(reasons).replace("{number}", ticket.number)
    await ctx.repos.notifications.add(ticket.id, notice, urgent=True, now=now)
    await queue_for_a_person(ctx)


def urgent_notice(reasons: list[str]) -> str:
    """The staff notification for an urgent complaint, "{number}" for the ticket's number."""
    return "紧急投诉 {number}: " + "；".join(reasons)


def repeat_reason(earlier: int) -> str:
    """Why a complaint after `earlier` others within a day is urgent: "24小时内第2次投诉"."""
    return f"24小时内第{earlier + 1}次投诉"


async def follow_up(ctx: Context, ticket: Ticket, order: Order | None) -> list[Reply]:
    """What the complaint asks for besides being heard.

    The parcel of a verified order for a logistics complaint; then, when no other dialog is
    open (an interrupted one is kept, and asks its own question again), an after-sales request
    is started, or the phone digits are asked for to show the parcel of an order named but not
    yet verified. Returns the replies; an empty list when there is nothing more to do.
    """
    logistics = ticket.category == "logistics"
    replies = []
    if order is not None and logistics and ticket.order_id == order.id:
        replies.append(parcel_detail(ctx, order))
    if ctx.dialog is not None:
        return replies
    if names_after_sales(ctx.text):
        request = await ctx.hand_to("aftersales")
        if request is not None:
            return [*replies, *request]
    references = order_references(ctx.text)
    if order is None and logistics and references:
        # Nothing is shown before the chat is verified as the order's owner.
        return await open_order(ctx, references[0], purpose="logistics")
    return replies


def is_something_else(ctx: Context) -> bool:
    """True when a message in the detail dialog does not tell what happened.

    A request or a question that another rule answers ("我要退货", "我的订单到哪了", an FAQ
    question), a ticket progress question, or nothing at all ("算了", "好的"): the router
    cancels the dialog, lets the other rule answer, or asks again. A message that says what
    went wrong is the answer, whatever else it asks ("面膜过敏了，我要退货").
    """
    text = ctx.text
    if severe_reason(text):
        return False  # a threat while telling: the answer, and it makes the ticket urgent
    if asks_ticket_progress(text):
        return True
    if asks(text) and confident_match(ctx) is not None:
        return True
    if classify(text) != "other":
        return False
    if names_after_sales(text) or contains_any(clean(text), WHERE_IS_IT + MY_ORDERS):
        return True
    if order_references(text):
        return False  # which order it is about
    return is_unclear(text)


class ComplaintRule:
    name = "complaints"
    interrupts_dialogs = True
    flows: tuple[str, ...] = (ComplaintDetail.FLOW,)

    async def match(self, ctx: Context) -> ComplaintSignal | TrustQuestion | None:
        if asks_about_trust(ctx.text):
            entry = trust_answer(ctx)
            # Answered even in the middle of a dialog, whose question is then asked again.
            return TrustQuestion(entry) if entry is not None else None
        dialog = ctx.dialog
        if ComplaintDetail.holds(dialog):
            return None  # the customer is telling what happened: resume() records it
        signal = recognise(ctx.text)
        if signal is None:
            return None
        # Inside another dialog milder words are answers to it ("质量太差了" as a reason);
        # saying "投诉" in so many words, where the dialog found no answer, is a complaint.
        if dialog is not None and not signal.severe:
            declined = ctx.memo.get("dialog_declined", False)
            if not (declined and contains_any(clean(ctx.text), COMPLAINT_TERMS)):
                return None
        return signal

    async def handle(self, ctx: Context, found: ComplaintSignal | TrustQuestion) -> list[Reply]:
        if isinstance(found, TrustQuestion):
            return [Reply(found.entry.answer)]
        since = ctx.clock.now() - REPEAT_WINDOW
        category = classify(ctx.text)
        earlier = await ctx.repos.tickets.complaints_since(ctx.identity.id, since)
        reasons = [found.severe_reason] if found.severe else []
        if earlier > 0:
            reasons.append(repeat_reason(earlier))
        order = await verified_order(ctx)
        active = await ctx.repos.tickets.active_complaint_since(ctx.identity.id, since)
        if active is not None:
            # One ticket per grievance: the new message goes to the one being worked on. It
            # is urgent (a second complaint within a day); staff hear of it again only when
            # it becomes urgent or the message is severe.
            ticket = active
            await add_to_ticket(ctx, ticket, ctx.whole_text.strip())
            if order is not None and ticket.order_id is None:
                ticket.order_id = order.id
            if ticket.severity != "urgent" or found.severe:
                await escalate(ctx, ticket, reasons)
            replies = [added_acknowledgement(ctx, ticket, category)]
        else:
            ticket = await open_ticket(
                ctx,
                TicketKind.COMPLAINT,
                category=category,
                severity="urgent" if reasons else "normal",
                description=ctx.whole_text,
                order_id=order.id if order is not None else None,
                notice=urgent_notice(reasons)
                if reasons
                else new_ticket_notice(TicketKind.COMPLAINT, CATEGORY_NAMES[category]),
            )
            if reasons:
                await queue_for_a_person(ctx)
            replies = [acknowledgement(ctx, ticket, category)]
        interrupting = ctx.dialog is not None
        replies.extend(await follow_up(ctx, ticket, order))
        # While interrupting another dialog, that dialog is kept: no question of our own; nor
        # when a dialog was just started to follow up (the request or the verification).
        if not interrupting and ctx.dialog is None and is_unclear(matched_part(ticket.description)):
            ctx.start_dialog(ComplaintDetail(ticket=ticket.number))
            replies.append(ctx.say("complaint_ask_detail"))
        return replies

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """What happened, added to the ticket the complaint opened; None for anything else."""
        assert ctx.dialog is not None
        text = ctx.text.strip()
        if not text or is_something_else(ctx):
            return None
        ticket = await ctx.repos.tickets.by_number(ComplaintDetail.from_stored(ctx.dialog).ticket)
        ctx.end_dialog()
        if ticket is None:
            return None
        await add_to_ticket(ctx, ticket, ctx.whole_text.strip())
        order = await verified_order(ctx)
        # An order named in the answer is what the complaint is about, more than the topic.
        if order is not None and (ticket.order_id is None or order_references(ctx.text)):
            ticket.order_id = order.id
        replies = [ctx.say("complaint_detail_thanks", number=ticket.number)]
        reason = severe_reason(text)
        if reason and ticket.severity != "urgent":
            await escalate(ctx, ticket, [reason])
            due = local_time(ticket.first_response_due, ctx.settings.zone)
            replies.append(Reply(urgent_promise(ctx, "complaint_escalated", due=due)))
        replies.extend(await follow_up(ctx, ticket, order))
        return replies
