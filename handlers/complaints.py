"""Complaints: recognised before anything else, apologised for, recorded as tickets.

A complaint opens a ticket at once, with a category and a severity; a severe one (a threat to
go to 12315, a lawyer, the press …) or a second one within a day is urgent and puts the
conversation in the queue for a person. When the message does not say what happened, the bot
asks, and the answer is added to the same ticket.
"""

from datetime import timedelta

from bot.messages import Reply
from handlers.complaint_words import ComplaintSignal, classify, is_severe, is_unclear, recognise
from handlers.context import Context
from handlers.order_views import local_time, parcel_detail
from handlers.patterns import order_references
from handlers.ticketing import deadlines, open_ticket
from storage.models import Order, Ticket

DETAIL_FLOW = "complaint_detail"
REPEAT_WINDOW = timedelta(hours=24)


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


def queue_for_a_person(ctx: Context) -> None:
    """Put the conversation in the queue for staff (the handover feature builds the rest)."""
    ctx.conversation.mode = "queued"


def acknowledgement(ctx: Context, ticket: Ticket, category: str) -> Reply:
    """The apology, the ticket number and by when a person answers."""
    due = local_time(ticket.first_response_due, ctx.settings.zone)
    promise = "complaint_urgent" if ticket.severity == "urgent" else "complaint_recorded"
    return Reply(
        "\n".join(
            (
                ctx.texts.render(f"complaint_apology_{category}"),
                ctx.texts.render(promise, number=ticket.number, due=due),
            )
        )
    )


class ComplaintRule:
    name = "complaints"
    interrupts_dialogs = True
    flows: tuple[str, ...] = (DETAIL_FLOW,)

    async def match(self, ctx: Context) -> ComplaintSignal | None:
        dialog = ctx.dialog
        if dialog is not None and dialog.get("flow") == DETAIL_FLOW:
            return None  # the customer is telling what happened: resume() records it
        signal = recognise(ctx.text)
        if signal is None:
            return None
        # Inside another dialog milder words are answers to it ("质量太差了" as a reason).
        if dialog is not None and not signal.severe:
            return None
        return signal

    async def handle(self, ctx: Context, found: ComplaintSignal) -> list[Reply]:
        now = ctx.clock.now()
        category = classify(ctx.text)
        repeated = await ctx.repos.tickets.complaints_since(ctx.identity.id, now - REPEAT_WINDOW)
        urgent = found.severe or repeated > 0
        order = await verified_order(ctx)
        ticket = await open_ticket(
            ctx,
            "complaint",
            category=category,
            severity="urgent" if urgent else "normal",
            description=ctx.text,
            order_id=order.id if order is not None else None,
        )
        if urgent:
            queue_for_a_person(ctx)
        replies = [acknowledgement(ctx, ticket, category)]
        if order is not None and category == "logistics":
            replies.append(parcel_detail(ctx, order))
        # While interrupting another dialog, that dialog is kept: no question of our own.
        if ctx.dialog is None and is_unclear(ctx.text):
            ctx.start_dialog(DETAIL_FLOW, prompt="complaint_ask_detail", ticket=ticket.number)
            replies.append(ctx.say("complaint_ask_detail"))
        return replies

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """What happened, added to the ticket the complaint opened."""
        assert ctx.dialog is not None
        text = ctx.text.strip()
        if not text:
            return None
        ticket = await ctx.repos.tickets.by_number(str(ctx.dialog.get("ticket", "")))
        ctx.end_dialog()
        if ticket is None:
            return None
        now = ctx.clock.now()
        ticket.description = f"{ticket.description}\n{text}".strip()
        await ctx.repos.tickets.add_event(ticket, now, "note", text=text, author="customer")
        if ticket.category in (None, "other"):
            ticket.category = classify(ticket.description)
        order = await verified_order(ctx)
        # An order named in the answer is what the complaint is about, more than the topic.
        if order is not None and (ticket.order_id is None or order_references(ctx.text)):
            ticket.order_id = order.id
        replies = [ctx.say("complaint_detail_thanks", number=ticket.number)]
        if is_severe(text) and ticket.severity != "urgent":
            replies.append(await self._escalate(ctx, ticket))
        if order is not None and ticket.order_id == order.id and ticket.category == "logistics":
            replies.append(parcel_detail(ctx, order))
        return replies

    async def _escalate(self, ctx: Context, ticket: Ticket) -> Reply:
        """Make the ticket urgent: sooner deadlines, an urgent alert, a person in the queue."""
        now = ctx.clock.now()
        first, resolution = deadlines("complaint", "urgent", ticket.created_at, ctx.settings)
        ticket.severity = "urgent"
        ticket.first_response_due = min(ticket.first_response_due, max(first, now))
        ticket.resolution_due = min(ticket.resolution_due, max(resolution, now))
        await ctx.repos.notifications.add(
            ticket.id, f"urgent complaint {ticket.number}", urgent=True, now=now
        )
        queue_for_a_person(ctx)
        due = local_time(ticket.first_response_due, ctx.settings.zone)
        return ctx.say("complaint_escalated", due=due)
