"""The after-sales dialog's course: what to ask next, and the order, item and policy behind it.

The slots are an AfterSalesState, passed in and stored by the rule; `step` names the
question that is open and `prompt` the template that asks it (the router asks
`<prompt>_again` after an unreadable answer). Each question is asked only while its slot is
still empty.
"""

import re
from collections.abc import Sequence

from core.enums import ACTIVE_TICKET_STATUSES, OrderStatus, TicketKind
from core.messages import Reply
from core.patterns import without_references
from handlers.aftersales.policy import CLOSED, PolicyCheck, check_policy, summary
from handlers.aftersales.state import AfterSalesState
from handlers.aftersales.words import NO_REASON, QUALITY, REFUND, REPAIR, RETURN, USAGE
from handlers.context import Context
from handlers.verification.binding import DigitCheck, reference_access
from knowledge import FaqMatch
from knowledge.matcher import confidence
from knowledge.normalize import clean
from storage.models import Order, OrderItem, Ticket

# FAQ categories about after-sales matters themselves. A confident FAQ match elsewhere means
# the message is about something else ("优惠券用不了"); only entries elsewhere can answer a
# usage problem ("精华一次用几滴").
AFTERSALES_CATEGORIES = ("returns", "exchange", "refund", "quality", "logistics")
MAX_DESCRIPTION_CHARS = 500
# Nothing paid yet: nothing to give back, and the order lapses if it stays unpaid.
UNPAID = OrderStatus.PENDING_PAYMENT
# Photos sent on their own before a request (kept in memory by the smalltalk rule).
RECENT_MEDIA = "recent_media"
# How many of the customer's newest tickets are looked through for one already open.
TICKETS_CHECKED = 50
# A meaningful part of an item's name: two Chinese characters or more ("面霜" in
# "修护面霜50g"), or a size ("50g"); "ml" alone or "30" alone names nothing.
_NAME_PART = re.compile(r"[\u4e00-\u9fff]{2,}|[0-9]+[a-z]+")
_GENERIC_NAMES = frozenset({"商品", "产品", "东西", "宝贝", "套装", "订单"})


async def advance(ctx: Context, slots: AfterSalesState, lead: Sequence[str] = ()) -> list[Reply]:
    """Ask for the next thing still missing, or for confirmation when nothing is."""
    settle(slots)
    lead = list(lead)
    if slots.reason == USAGE and not slots.usage_done:
        if not slots.description:
            return ask(ctx, slots, "description", "aftersales_ask_usage", lead)
        return await usage_help(ctx, slots, slots.description, lead)
    if not slots.order_no:
        offered = ctx.memory.get("order_no")
        if offered and offered != slots.declined_order:
            lead.append(ctx.texts.render("aftersales_offer_order", order_no=offered))
            return ask(ctx, slots, "order_confirm", "aftersales_confirm_order", lead)
        return ask(ctx, slots, "order", "aftersales_ask_order", lead)
    order = await ctx.repos.orders.by_number(slots.order_no)
    if order is None or order.status in CLOSED:
        order_no = slots.order_no
        slots.forget("order_no")
        slots.declined_order = order_no
        status = ctx.texts.render(f"status_{order.status}") if order else ""
        lead.append(ctx.texts.render("aftersales_order_closed", order_no=order_no, status=status))
        return ask(ctx, slots, "order", "aftersales_ask_order", lead)
    if order.status == UNPAID:
        ctx.end_dialog()
        return [
            Reply(
                "\n".join([*lead, ctx.texts.render("aftersales_unpaid", order_no=order.order_no)])
            )
        ]
    item = item_of(order, slots)
    if order.status == OrderStatus.DELIVERED and item is None:
        item = named_item(slots, order)
        if item is None:
            lead.append(item_list(ctx, order))
            return ask(ctx, slots, "item", "aftersales_ask_item", lead)
        choose_item(slots, item)
    active = await open_request(ctx, order, item)
    if active is not None:
        ctx.end_dialog()
        return [Reply("\n".join([*lead, already_open(ctx, active, order, item)]))]
    if order.status == OrderStatus.DELIVERED:
        if slots.type is None:
            if slots.reason == QUALITY:
                return ask(ctx, slots, "type", "aftersales_ask_quality_type", lead)
            return ask(ctx, slots, "type", "aftersales_ask_type", lead)
        if slots.reason is None:
            return ask(ctx, slots, "reason", "aftersales_ask_reason", lead)
    else:
        # Nothing received yet: there is only the money to give back.
        if slots.type in (None, RETURN):
            slots.type = REFUND
        if slots.reason in (None, USAGE):
            slots.reason = NO_REASON
    policy = await policy_for(ctx, slots, order, item)
    if not policy.within and not slots.insisted:
        return refuse(ctx, slots, policy, order, item, lead)
    if not slots.description and not slots.description_skipped:
        unshipped = order.status != OrderStatus.DELIVERED and slots.type == REFUND
        prompt = "aftersales_ask_refund_reason" if unshipped else "aftersales_ask_description"
        return ask(ctx, slots, "description", prompt, lead)
    fault = slots.reason == QUALITY or slots.type == REPAIR
    wants_photos = fault and order.status == OrderStatus.DELIVERED
    if wants_photos and not slots.media and not slots.photos_skipped:
        return ask(ctx, slots, "photos", "aftersales_ask_photos", lead)
    lead.append(summary(ctx, slots, order, policy).text)
    return ask(ctx, slots, "submit", "aftersales_ask_submit", lead)


def refuse(
    ctx: Context,
    slots: AfterSalesState,
    policy: PolicyCheck,
    order: Order,
    item: OrderItem | None,
    lead: list[str],
) -> list[Reply]:
    """Explain why the request is outside the policy and ask whether to submit it anyway.

    Asked again with another type or reason ("还是换货吧") and refused for the same reason,
    the customer gets a short answer rather than the whole explanation again.
    """
    told = [order.order_no, item.id if item else None, policy.note]
    if slots.policy_told == told:
        request = ctx.texts.render(
            "aftersales_request_named",
            type=ctx.texts.render(f"aftersales_type_{slots.type}"),
            reason=ctx.texts.render(f"aftersales_reason_{slots.reason}"),
        )
        lead.append(ctx.texts.render("aftersales_policy_still_outside", request=request))
        return ask(ctx, slots, "insist", "aftersales_ask_insist_brief", lead)
    slots.policy_told = told
    lead.append(policy.note)
    return ask(ctx, slots, "insist", "aftersales_ask_insist", lead)


def ask(
    ctx: Context, slots: AfterSalesState, step: str, prompt: str, lead: Sequence[str] = ()
) -> list[Reply]:
    """Make `prompt` the open question and ask it, after `lead` in the same message.

    Answers that were none count towards offering a person until the question changes.
    """
    if slots.step != step:
        slots.misses = 0
    slots.step, slots.prompt, slots.since = step, prompt, ctx.clock.now().isoformat()
    return [question(ctx, slots, lead)]


def question(ctx: Context, slots: AfterSalesState, lead: Sequence[str]) -> Reply:
    return Reply("\n".join([*lead, ctx.texts.render(slots.prompt)]))


def settle(slots: AfterSalesState) -> None:
    """Make type and reason agree: a usage problem is a repair ticket, a repair a fault."""
    if slots.reason == USAGE and slots.type not in (None, REPAIR):
        slots.reason = None
    elif slots.reason == USAGE:
        slots.type = REPAIR
    if slots.type == REPAIR and slots.reason is None:
        slots.reason = QUALITY


def intro(ctx: Context, slots: AfterSalesState) -> Reply:
    reason = slots.reason
    if reason == QUALITY:
        return ctx.say("aftersales_intro_sorry")
    if reason == USAGE:
        return ctx.say("aftersales_intro_usage")
    return ctx.say("aftersales_intro")


async def take_reference(ctx: Context, slots: AfterSalesState, reference: str) -> list[Reply]:
    """The order the customer named: theirs already, or verified by the phone digits given
    with it, or asked for them."""
    return await take_access(ctx, slots, reference, await reference_access(ctx, reference))


async def take_access(
    ctx: Context, slots: AfterSalesState, reference: str, check: DigitCheck | None
) -> list[Reply]:
    """Go on as the check of the chat's access to the order says: with the order, asking
    for the phone digits (again), or not at all when the chat is locked."""
    if check is not None and check.ok:
        return [*check.replies, *await choose_order(ctx, slots, check.order_no)]
    if check is not None and check.locked:
        ctx.end_dialog()
        return check.replies
    slots.reference = reference
    asked = ask(ctx, slots, "verify", "aftersales_verify")
    return asked if check is None else check.replies


async def choose_order(ctx: Context, slots: AfterSalesState, order_no: str) -> list[Reply]:
    slots.forget("item_id", "item_name", "insisted", "reference")
    slots.order_no = order_no
    ctx.memory["order_no"] = order_no
    return await advance(ctx, slots)


async def usage_help(
    ctx: Context, slots: AfterSalesState, description: str, lead: list[str]
) -> list[Reply]:
    """The FAQ's answer to a usage problem, then "did that help?"; staff if it has none."""
    answer = usage_answer(ctx, description)
    if answer is not None:
        return ask(ctx, slots, "solved", "aftersales_ask_solved", [*lead, answer.entry.answer])
    slots.usage_done = True
    return await advance(ctx, slots, [*lead, ctx.texts.render("aftersales_usage_no_answer")])


def usage_answer(ctx: Context, description: str) -> FaqMatch | None:
    """The best FAQ entry for the description that is not itself about after-sales."""
    # Enough matches that the best usable one is measured against its real runner-up.
    matches = ctx.faq_matches_for(description)[:10]
    usable = [m for m in matches if m.entry.category not in AFTERSALES_CATEGORIES]
    if not usable:
        return None
    # As sure as an answer would have to be, among the entries that may answer it.
    rival = usable[1].score if len(usable) > 1 else 0.0
    if confidence(usable[0].score, rival) < ctx.settings.faq_answer_confidence:
        return None
    return usable[0]


def item_of(order: Order, slots: AfterSalesState) -> OrderItem | None:
    return next((i for i in order.items if i.id == slots.item_id), None)


def choose_item(slots: AfterSalesState, item: OrderItem) -> None:
    slots.item_id, slots.item_name = item.id, item.name
    slots.forget("insisted")


def item_named(text: str, items: Sequence[OrderItem]) -> OrderItem | None:
    """The one item the text names best by a meaningful part of its name ("面霜" for
    修护面霜50g, "修护面霜" rather than 修护精华 for it), if one does."""
    cleaned = clean(without_references(text))
    scores = [_named_part(cleaned, clean(item.name)) for item in items]
    best = max(scores, default=0)
    named = [item for item, score in zip(items, scores, strict=True) if score == best]
    return named[0] if best and len(named) == 1 else None


def _named_part(text: str, name: str) -> int:
    """The length of the longest meaningful part of the name the text contains: any two
    Chinese characters in a row or more, or a whole size."""
    longest = 0
    for run in _NAME_PART.findall(name):
        sizes = (len(run),) if run.isascii() else range(len(run), 1, -1)
        for size in sizes:
            if size <= longest:
                break
            parts = {run[k : k + size] for k in range(len(run) - size + 1)}
            if any(part in text for part in parts - _GENERIC_NAMES):
                longest = size
                break
    return longest


def named_item(slots: AfterSalesState, order: Order) -> OrderItem | None:
    """The item of the order the request is about when the customer need not be asked:
    the only one, or the one named in the dialog before ("面霜收到就漏了"), unless declined."""
    if len(order.items) == 1:
        return order.items[0]
    item = item_named(" ".join(slots.mentions), order.items)
    if item is None or item.id == slots.declined_item:
        return None
    return item


def item_list(ctx: Context, order: Order) -> str:
    lines = [ctx.texts.render("aftersales_item_heading", order_no=order.order_no)]
    lines += [f"{n}. {item.name}×{item.qty}" for n, item in enumerate(order.items, 1)]
    return "\n".join(lines)


async def open_request(ctx: Context, order: Order, item: OrderItem | None) -> Ticket | None:
    """An after-sales ticket still being worked on for the same thing: the item, or the whole
    order when the new request or the open one is about all of it."""
    tickets = await ctx.repos.tickets.for_owner(
        ctx.identity.id, ctx.identity.customer_id, limit=TICKETS_CHECKED
    )
    items = (None, item.id) if item is not None else None
    for ticket in tickets:
        active = ticket.status in ACTIVE_TICKET_STATUSES and ticket.kind == TicketKind.AFTER_SALES
        same = ticket.order_id == order.id and (items is None or ticket.order_item_id in items)
        if active and same:
            return ticket
    return None


def already_open(ctx: Context, ticket: Ticket, order: Order, item: OrderItem | None) -> str:
    """The ticket already open for the item or order: its number and status, no second one."""
    what = (
        f"「{item.name}」"
        if item
        else ctx.texts.render("aftersales_order_named", order_no=order.order_no)
    )
    return ctx.texts.render(
        "aftersales_already_open",
        what=what,
        number=ticket.number,
        state=ctx.texts.render(f"ticket_state_{ticket.status}"),
    )


def description_of(ctx: Context) -> str:
    """The message as the request's description: what the customer wrote, not only the part
    the rules read, up to MAX_DESCRIPTION_CHARS."""
    return ctx.whole_text.strip()[:MAX_DESCRIPTION_CHARS]


def recent_media(ctx: Context) -> list[str]:
    """Photos the customer sent on their own just before, to go with the request."""
    return list(ctx.memory.get(RECENT_MEDIA, []))


def forget_media(ctx: Context, attached: Sequence[str]) -> None:
    """Photos attached to a ticket are no longer waiting for a request."""
    kept = [media for media in ctx.memory.get(RECENT_MEDIA, []) if media not in attached]
    if kept:
        ctx.memory[RECENT_MEDIA] = kept
    else:
        ctx.memory.pop(RECENT_MEDIA, None)


async def policy_for(
    ctx: Context, slots: AfterSalesState, order: Order, item: OrderItem | None
) -> PolicyCheck:
    """The policy for the request as the slots say it; the item's product may refuse
    no-reason returns (opened cosmetics)."""
    product = await ctx.repos.products.by_sku(item.sku) if item is not None else None
    non_returnable = bool(product and product.non_returnable)
    return check_policy(ctx, order, slots.type, slots.reason, non_returnable)
