"""A customer answering staff's question on a ticket that waits for them.

Staff set a ticket to waiting_customer with a note for the customer ("请拍一下瓶底批号"), and the
outbox tells them to answer right here. While no dialog is open, the chat's next message is
that answer: it is added to the ticket as the customer's note (photos and files too), the
ticket goes back to in_progress, staff are notified, and the customer is told it was passed
on. A second message soon after (another photo, "盖子也裂了") joins the same ticket.

When several tickets of this chat wait, the answer goes to the one asked last.

What is not taken as the answer, nor as a follow-up, and why:
- a progress question or a ticket number ("我的售后进度", "多久能处理好", "AS20261129-0007"):
  the status rule answers it, and its answer shows the ticket waits for them with staff's
  question again;
- a question the bot answers at once, asked in so many words: one the FAQ answers with
  confidence ("对了 你们满多少包邮"), a parcel question ("我的订单到哪了") or one for the
  customer's orders ("查一下我的订单"). Forwarded, it would wait for a person; statements ("盖子
  也裂了", "没收到"), numbers alone and photos still go to staff;
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

from core.enums import TicketEventKind, TicketStatus
from core.messages import Reply
from core.patterns import without_references
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.logistics.rule import WHEN_DOES_IT_COME, asks_for_parcel_or_orders
from handlers.smalltalk.rule import smalltalk_of
from handlers.words import asks_nothing_else, asks_something, asks_ticket_progress, contains_any
from knowledge.normalize import clean
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

    async def match(self, ctx: Context) -> CustomerAnswer | None:
        if ctx.dialog is not None:
            return None  # the message answers the dialog's question, not staff's
        media = bool(ctx.incoming.media)
        smalltalk = None if media else smalltalk_of(ctx)
        if smalltalk in NOT_ANSWERS:
            return None
        found = None
        ticket = await ctx.repos.tickets.waiting_for_answer(ctx.identity.id)
        if ticket is not None:
            found = CustomerAnswer(ticket, follow_up=False)
        elif smalltalk not in NOT_FOLLOW_UPS:
            ticket = await _answered_just_now(ctx)
            found = CustomerAnswer(ticket, follow_up=True) if ticket is not None else None
        if found is None or (not media and _answered_at_once(ctx)):
            return None
        return found

    async def handle(self, ctx: Context, found: CustomerAnswer) -> list[Reply]:
        ticket, now = found.ticket, ctx.clock.now()
        media = list(ctx.incoming.media)
        text = ctx.whole_text.strip()
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
            ticket,
            now,
            TicketEventKind.STATUS,
            author="customer",
            to_status=TicketStatus.IN_PROGRESS,
        )
        await ctx.repos.notifications.add(
            ticket.id,
            f"客户已回复 {ticket.number}",
            urgent=ticket.severity == "urgent",
            now=now,
        )
        return [ctx.say("ticket_reply_received", number=ticket.number)]


def _answered_at_once(ctx: Context) -> bool:
    """A question another rule answers now: the chat's tickets (it has one being worked on),
    the FAQ's with confidence, a parcel's or the customer's orders."""
    if asks_ticket_progress(ctx.text, has_active_ticket=True):
        return True
    if asks_for_parcel_or_orders(ctx.text):
        return True
    if not asks_something(ctx.text):
        return False
    text = clean(without_references(ctx.text))
    if contains_any(text, WHEN_DOES_IT_COME) and asks_nothing_else(text, WHEN_DOES_IT_COME):
        return True
    return confident_match(ctx) is not None


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
    if (
        ticket is None
        or ticket.identity_id != ctx.identity.id
        or ticket.status != TicketStatus.IN_PROGRESS
    ):
        return None
    return ticket
