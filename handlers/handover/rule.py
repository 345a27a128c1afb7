"""Handing a conversation to a person: asked for, offered after misunderstandings, or for an
urgent complaint.

Within business hours the conversation joins the queue for staff (a `Handover` row, mode
"queued") and the customer hears their place and, with agents online, a rough wait; while
waiting the bot still answers, and "不用了" (with no dialog asking a question of its own)
leaves the queue. Outside business hours nobody is queued: the customer hears when staff are
back and a callback ticket is opened. Staff take, answer and hand back conversations, and the
queue is closed at closing time, in bot/handover.py.
"""

from datetime import datetime, timedelta
from math import ceil
from typing import Any, Literal

from core.enums import ConversationMode, HandoverReason, HandoverStatus, StaffRole, TicketKind
from core.messages import Reply
from core.settings import Settings
from core.shop_time import clock_time, is_open, is_today, next_opening
from handlers.answers import bare_yes_or_no
from handlers.context import Context
from handlers.handover.state import HandoverOffer
from handlers.handover.words import asks_for_person, leaves_queue
from handlers.tickets.opening import add_ticket, new_ticket_notice
from knowledge import ReplyTexts
from storage.models import Handover, Identity, Staff, Ticket
from storage.repositories import Repositories

# Staff whose console asked for news this recently are at their desk.
ONLINE_WINDOW = timedelta(seconds=60)
# Only agents are given queued conversations; admins take one by hand when they want to.
AGENT_ROLE = StaffRole.AGENT
# Why a chat was handed to a person, as staff read it in a callback's notification.
REASON_NAMES = {
    HandoverReason.REQUEST: "客户要求",
    HandoverReason.COMPLAINT: "投诉",
    HandoverReason.FALLBACK: "机器人未能理解",
    HandoverReason.STAFF: "客服主动接入",
}

Found = Literal["request", "leave"]


async def online_agents(repos: Repositories, now: datetime) -> list[Staff]:
    """Agents (not admins) who had the console open within the last minute."""
    return [s for s in await repos.staff.online(now - ONLINE_WINDOW) if s.role == AGENT_ROLE]


def back_time(texts: ReplyTexts, now: datetime, settings: Settings) -> str:
    """When staff are back, as the customer reads it: "明天 9:00", "今天 9:00"."""
    opening = next_opening(now, settings)
    day = "handover_today" if is_today(opening, now, settings) else "handover_tomorrow"
    return f"{texts.render(day)} {clock_time(opening)}"


async def _queue_reply(ctx: Context, handover: Handover, template: str) -> Reply:
    """The place in the queue and a wait shared among the agents online (none if nobody is)."""
    position = await ctx.repos.handovers.position(handover)
    agents = len(await online_agents(ctx.repos, ctx.clock.now()))
    if agents == 0:
        return ctx.say(f"{template}_no_agent", position=position)
    minutes = max(1, ceil(position * ctx.settings.minutes_per_queued_customer / agents))
    return ctx.say(template, position=position, minutes=minutes)


async def callback_ticket(
    repos: Repositories,
    settings: Settings,
    now: datetime,
    identity: Identity,
    reason: str,
    description: str,
    situation: str,
) -> tuple[Ticket, bool]:
    """The chat's open callback ticket, or a new one with a staff notice; True when new.

    The notice says why the chat wanted a person and in what `situation`: "新回电 {number}
    （客户要求，非营业时间）".
    """
    ticket = await repos.handovers.open_callback(identity.id)
    if ticket is not None:
        return ticket, False
    ticket = await add_ticket(
        repos,
        settings,
        now,
        identity,
        TicketKind.CALLBACK,
        reason=reason,
        description=description,
        notice=new_ticket_notice(
            TicketKind.CALLBACK, f"{REASON_NAMES.get(reason, reason)}，{situation}"
        ),
    )
    return ticket, True


async def _callback(ctx: Context, reason: str, description: str) -> Reply:
    """Outside business hours: one open callback ticket per chat, and when staff are back."""
    now = ctx.clock.now()
    back = back_time(ctx.texts, now, ctx.settings)
    ticket, new = await callback_ticket(
        ctx.repos, ctx.settings, now, ctx.identity, reason, description, "非营业时间"
    )
    name = "handover_callback" if new else "handover_callback_open"
    return ctx.say(
        callback_template(name, ctx.identity),
        number=ticket.number,
        back=back,
    )


def callback_template(name: str, identity: Identity) -> str:
    """The callback text `name`, or its variant that promises a reply in the chat (and asks
    for a phone number for a call) when the shop knows no phone: a chat not verified."""
    return name if identity.customer_id is not None else f"{name}_no_phone"


async def request_person(ctx: Context, reason: str, description: str = "") -> Reply | None:
    """Queue the chat for staff, or out of hours open a callback ticket; the reply to send."""
    # A complaint's own reply already promises a person, so it gets None here; out of hours
    # it is not queued at all (its ticket carries a deadline).
    now = ctx.clock.now()
    quiet = reason == HandoverReason.COMPLAINT
    current = await ctx.repos.handovers.current(ctx.conversation.id)
    if current is not None:
        if current.status != HandoverStatus.QUEUED:
            return None  # an agent holds it already
        ctx.conversation.mode = ConversationMode.QUEUED
        return None if quiet else await _queue_reply(ctx, current, "handover_still_queued")
    if not is_open(now, ctx.settings):
        description = description or ctx.whole_text.strip()
        return None if quiet else await _callback(ctx, reason, description)
    handover = await ctx.repos.handovers.start(ctx.conversation.id, reason, now)
    ctx.conversation.mode = ConversationMode.QUEUED
    return None if quiet else await _queue_reply(ctx, handover, "handover_queued")


async def leave_queue(ctx: Context) -> list[Reply]:
    """The customer no longer waits: the handover ends and the bot carries on."""
    current = await ctx.repos.handovers.current(ctx.conversation.id)
    if current is not None and not await ctx.repos.handovers.leave_queue(
        current.id, ctx.clock.now()
    ):
        return []  # an agent took the chat this very moment: their greeting follows
    ctx.conversation.mode = ConversationMode.BOT
    return [ctx.say("handover_left_queue")]


def offer_person(ctx: Context, resume: dict[str, Any] | None = None) -> Reply:
    """Offer a person in a soft yes/no dialog; `resume` is the dialog to carry on after it."""
    question = ctx.whole_text.strip()
    ctx.start_dialog(HandoverOffer(resume=resume, question=question))
    if is_open(ctx.clock.now(), ctx.settings):
        return ctx.say("offer_person")
    return ctx.say("offer_person_closed", back=back_time(ctx.texts, ctx.clock.now(), ctx.settings))


class HandoverRule:
    name = "handover"
    # A request for a person is worth interrupting any dialog for; while queued, "不等了"
    # leaves the queue even in a dialog, but a bare "不用了" there answers the dialog.
    interrupts_dialogs = True
    flows: tuple[str, ...] = (HandoverOffer.FLOW,)

    async def match(self, ctx: Context) -> Found | None:
        in_dialog = ctx.dialog is not None
        if ctx.conversation.mode == ConversationMode.QUEUED and leaves_queue(
            ctx.text, in_dialog=in_dialog
        ):
            return "leave"
        if asks_for_person(ctx.text):
            return "request"
        return None

    async def handle(self, ctx: Context, found: Found) -> list[Reply]:
        if found == "leave":
            return await leave_queue(ctx)
        reply = await request_person(ctx, HandoverReason.REQUEST)
        return [reply] if reply is not None else []

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """Yes queues the chat, no is acknowledged; anything else is read as usual."""
        assert ctx.dialog is not None
        offer = HandoverOffer.from_stored(ctx.dialog)
        ctx.dialog = offer.resume  # the dialog the offer interrupted carries on
        earlier_prompt = offer.resumed_prompt()
        answer = bare_yes_or_no(ctx.text)
        if answer is None:
            return None
        if answer is False:
            if earlier_prompt:
                return [ctx.say("offer_person_declined_resume"), ctx.say(earlier_prompt)]
            return [ctx.say("offer_person_declined")]
        reply = await request_person(ctx, HandoverReason.FALLBACK, description=offer.question)
        replies = [reply] if reply is not None else []
        if earlier_prompt and ctx.conversation.mode == ConversationMode.BOT:
            replies.append(ctx.say(earlier_prompt))
        return replies
