"""A customer answering staff's question on a ticket that waits for them.

Staff set a ticket to waiting_customer with a note for the customer ("请拍一下瓶底批号"), and the
outbox tells them to answer right here. While no dialog is open, the chat's next message is
that answer: it is added to the ticket as the customer's note (photos and files too), the
ticket goes back to in_progress, staff are notified, and the customer is told it was passed
on. A second message soon after (another photo, "盖子也裂了") joins the same ticket.

When several tickets of this chat wait, the answer goes to the one asked last.

What is not taken as the answer, and why:
- a progress question or a ticket number ("我的售后进度", "AS20261129-0007"): the status rule
  answers it, and its answer shows the ticket waits for them with staff's question again;
- a greeting alone ("在吗"): an opener, the answer usually follows;
- a complaint: the complaint rule runs first and records it as a complaint of its own.
What is, although another rule would take it otherwise:
- an order, batch or tracking number alone ("B20260901", "KF20261120001"): staff ask for
  exactly such numbers; read as an order question it would start a phone check nobody asked
  for;
- a cancel word ("算了", "不用了"): outside a dialog nothing else handles one (the customer would
  be told they were not understood), and to staff it is the answer: the customer declines or
  withdraws, and a person decides what becomes of the ticket;
- any other message: staff asked something, so the customer's words go to a person, who reads
  them; the worst case is an unrelated question answered by staff instead of at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.messages import Reply
from handlers.context import Context
from handlers.patterns import asks_ticket_progress
from handlers.smalltalk import SmalltalkRule
from storage.models import Ticket

# How long after an answer further messages join it; each one extends the time.
FOLLOW_UP_WINDOW = timedelta(minutes=10)
MEMORY_KEY = "ticket_reply"
# Smalltalk that is no answer to staff: an opener. ("好的", "谢谢" or "没事了" may well be one.)
NOT_ANSWERS = ("greeting", "empty")
# After the answer, social words are just that ("好的，谢谢"): they do not join the ticket.
NOT_FOLLOW_UPS = ("greeting", "thanks", "goodbye", "empty")


@dataclass(frozen=True)
class CustomerAnswer:
    ticket: Ticket
    follow_up: bool  # adds to an answer given just now, on a ticket already back in progress


class TicketReplyRule:
    name = "ticket_replies"
    interrupts_dialogs = False

    def __init__(self) -> None:
        self._smalltalk = SmalltalkRule()

    async def match(self, ctx: Context) -> CustomerAnswer | None:
        if ctx.dialog is not None:
            return None  # the message answers the dialog's question, not staff's
        media = bool(ctx.incoming.media)
        if not media and asks_ticket_progress(ctx.text):
            return None
        smalltalk = None if media else await self._smalltalk.match(ctx)
        if smalltalk in NOT_ANSWERS:
            return None
        ticket = await ctx.repos.tickets.waiting_for_answer(ctx.identity.id)
        if ticket is not None:
            return CustomerAnswer(ticket, follow_up=False)
        if smalltalk in NOT_FOLLOW_UPS:
            return None
        ticket = await _answered_just_now(ctx)
        return CustomerAnswer(ticket, follow_up=True) if ticket is not None else None

    async def handle(self, ctx: Context, found: CustomerAnswer) -> list[Reply]:
        ticket, now = found.ticket, ctx.clock.now()
        media = list(ctx.incoming.media)
        text = ctx.text.strip()
        if media:
            ticket.media = [*ticket.media, *(m for m in media if m not in ticket.media)]
            text = "\n".join(filter(None, (text, f"media: {', '.join(media)}")))
        await ctx.repos.tickets.add_event(ticket, now, "note", text=text, author="customer")
        ctx.memory[MEMORY_KEY] = {
            "number": ticket.number,
            "until": (now + FOLLOW_UP_WINDOW).isoformat(),
        }
        if found.follow_up:
            return [ctx.say("ticket_reply_more", number=ticket.number)]
        await ctx.repos.tickets.add_event(
            ticket, now, "status", author="customer", to_status="in_progress"
        )
        await ctx.repos.notifications.add(
            ticket.id,
            f"customer replied on {ticket.number}",
            urgent=ticket.severity == "urgent",
            now=now,
        )
        return [ctx.say("ticket_reply_received", number=ticket.number)]


async def _answered_just_now(ctx: Context) -> Ticket | None:
    """The ticket this chat answered within the follow-up window, while staff work on it."""
    recent = ctx.memory.get(MEMORY_KEY)
    if not isinstance(recent, dict):
        return None
    try:
        until = datetime.fromisoformat(str(recent.get("until")))
    except ValueError:
        return None
    if ctx.clock.now() > until:
        return None
    ticket = await ctx.repos.tickets.by_number(str(recent.get("number", "")))
    if ticket is None or ticket.identity_id != ctx.identity.id or ticket.status != "in_progress":
        return None
    return ticket
