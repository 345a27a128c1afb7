"""The after-sales dialog's course: what to ask next, and the order, item and policy behind it.

The slots live in `ctx.dialog` as plain values; `step` names the question that is open and
`prompt` the template that asks it (the router asks `<prompt>_again` after an unreadable
answer). Each question is asked only while its slot is still empty.
"""

from collections.abc import Sequence
from typing import Any

from bot.messages import Reply
from handlers.aftersales_policy import CLOSED, PolicyCheck, check_policy, summary
from handlers.aftersales_text import NO_REASON, QUALITY, REFUND, REPAIR, RETURN, USAGE
from handlers.context import Context
from handlers.faq import suggestions
from handlers.patterns import phone_last_four, without_references
from handlers.verification import is_locked, owned_order_no, verify_digits
from knowledge import FaqMatch
from knowledge.normalize import clean
from storage.models import Order, OrderItem

# FAQ categories about after-sales matters themselves. A confident FAQ match elsewhere means
# the message is about something else ("优惠券用不了"); only entries elsewhere can answer a
# usage problem ("精华一次用几滴").
AFTERSALES_CATEGORIES = ("returns", "exchange", "refund", "quality", "logistics")
MAX_DESCRIPTION_CHARS = 500


async def advance(ctx: Context, lead: Sequence[str] = ()) -> list[Reply]:
    """Ask for the next thing still missing, or for confirmation when nothing is."""
    slots = ctx.dialog
    assert slots is not None
    settle(slots)
    lead = list(lead)
    if slots.get("reason") == USAGE and not slots.get("usage_done"):
        if not slots.get("description"):
            return ask(ctx, "description", "aftersales_ask_usage", lead)
        return await usage_help(ctx, slots["description"], lead)
    if not slots.get("order_no"):
        offered = ctx.memory.get("order_no")
        if offered and offered != slots.get("declined_order"):
            lead.append(ctx.texts.render("aftersales_offer_order", order_no=offered))
            return ask(ctx, "order_confirm", "aftersales_confirm_order", lead)
        return ask(ctx, "order", "aftersales_ask_order", lead)
    order = await ctx.repos.orders.by_number(slots["order_no"])
    if order is None or order.status in CLOSED:
        order_no = slots.pop("order_no")
        slots["declined_order"] = order_no
        status = ctx.texts.render(f"status_{order.status}") if order else ""
        lead.append(ctx.texts.render("aftersales_order_closed", order_no=order_no, status=status))
        return ask(ctx, "order", "aftersales_ask_order", lead)
    item = item_of(order, slots)
    if order.status == "delivered":
        if item is None:
            if len(order.items) != 1:
                lead.append(item_list(ctx, order))
                return ask(ctx, "item", "aftersales_ask_item", lead)
            item = choose_item(slots, order.items[0])
        if slots.get("type") is None:
            if slots.get("reason") == QUALITY:
                return ask(ctx, "type", "aftersales_ask_quality_type", lead)
            return ask(ctx, "type", "aftersales_ask_type", lead)
        if slots.get("reason") is None:
            return ask(ctx, "reason", "aftersales_ask_reason", lead)
    else:
        # Nothing received yet: there is only the money to give back.
        if slots.get("type") in (None, RETURN):
            slots["type"] = REFUND
        if slots.get("reason") in (None, USAGE):
            slots["reason"] = NO_REASON
    policy = await policy_for(ctx, order, item)
    if not policy.within and not slots.get("insisted"):
        lead.append(policy.note)
        return ask(ctx, "insist", "aftersales_ask_insist", lead)
    if not slots.get("description") and not slots.get("description_skipped"):
        unshipped = order.status != "delivered" and slots["type"] == REFUND
        prompt = "aftersales_ask_refund_reason" if unshipped else "aftersales_ask_description"
        return ask(ctx, "description", prompt, lead)
    fault = slots["reason"] == QUALITY or slots["type"] == REPAIR
    wants_photos = fault and order.status == "delivered"
    if wants_photos and not slots.get("media") and not slots.get("photos_skipped"):
        return ask(ctx, "photos", "aftersales_ask_photos", lead)
    lead.append(summary(ctx, slots, order, policy).text)
    return ask(ctx, "submit", "aftersales_ask_submit", lead)


def ask(ctx: Context, step: str, prompt: str, lead: Sequence[str] = ()) -> list[Reply]:
    """Make `prompt` the open question and ask it, after `lead` in the same message."""
    slots = ctx.dialog
    assert slots is not None
    slots.update(step=step, prompt=prompt, misses=0, since=ctx.clock.now().isoformat())
    return [question(ctx, lead)]


def question(ctx: Context, lead: Sequence[str]) -> Reply:
    assert ctx.dialog is not None
    return Reply("\n".join([*lead, ctx.texts.render(ctx.dialog["prompt"])]))


def settle(slots: dict[str, Any]) -> None:
    """Make type and reason agree: a usage problem is a repair ticket, a repair a fault."""
    if slots.get("reason") == USAGE and slots.get("type") not in (None, REPAIR):
        slots["reason"] = None
    elif slots.get("reason") == USAGE:
        slots["type"] = REPAIR
    if slots.get("type") == REPAIR and slots.get("reason") is None:
        slots["reason"] = QUALITY


def intro(ctx: Context) -> Reply:
    assert ctx.dialog is not None
    reason = ctx.dialog.get("reason")
    if reason == QUALITY:
        return ctx.say("aftersales_intro_sorry")
    if reason == USAGE:
        return ctx.say("aftersales_intro_usage")
    return ctx.say("aftersales_intro")


async def take_reference(ctx: Context, reference: str) -> list[Reply]:
    """The order the customer named: theirs already, or verify the phone digits first."""
    order_no = await owned_order_no(ctx, reference)
    if order_no is not None:
        return await choose_order(ctx, order_no)
    if is_locked(ctx):
        ctx.end_dialog()
        return [ctx.say("verify_locked", minutes=ctx.settings.verify_lock_minutes)]
    assert ctx.dialog is not None
    ctx.dialog["reference"] = reference
    digits = phone_last_four(without_references(ctx.text))
    if digits is not None:
        return await check_digits(ctx, digits)
    return ask(ctx, "verify", "aftersales_verify")


async def check_digits(ctx: Context, digits: str) -> list[Reply]:
    assert ctx.dialog is not None
    check = await verify_digits(ctx, ctx.dialog["reference"], digits)
    if check.ok:
        return [*check.replies, *await choose_order(ctx, check.order_no)]
    if check.locked:
        ctx.end_dialog()
    return check.replies


async def choose_order(ctx: Context, order_no: str) -> list[Reply]:
    assert ctx.dialog is not None
    for slot in ("item_id", "item_name", "insisted", "reference"):
        ctx.dialog.pop(slot, None)
    ctx.dialog["order_no"] = order_no
    ctx.memory["order_no"] = order_no
    return await advance(ctx)


async def usage_help(ctx: Context, description: str, lead: list[str]) -> list[Reply]:
    """The FAQ's answer to a usage problem, then "did that help?"; staff if it has none."""
    answer = usage_answer(ctx, description)
    if answer is not None:
        return ask(ctx, "solved", "aftersales_ask_solved", [*lead, answer.entry.answer])
    assert ctx.dialog is not None
    ctx.dialog["usage_done"] = True
    return await advance(ctx, [*lead, ctx.texts.render("aftersales_usage_no_answer")])


def usage_answer(ctx: Context, description: str) -> FaqMatch | None:
    """The best FAQ entry for the description that is not itself about after-sales."""
    # The description came with this message, or with the first one.
    matches = suggestions(ctx) if ctx.text == description else ctx.kb.search(description, 3)
    for match in matches:
        if match.score < ctx.settings.faq_answer_score:
            break
        if match.entry.category not in AFTERSALES_CATEGORIES:
            return match
    return None


def item_of(order: Order, slots: dict[str, Any]) -> OrderItem | None:
    return next((i for i in order.items if i.id == slots.get("item_id")), None)


def choose_item(slots: dict[str, Any], item: OrderItem) -> OrderItem:
    slots.update(item_id=item.id, item_name=item.name)
    slots.pop("insisted", None)
    return item


def item_named(text: str, items: Sequence[OrderItem]) -> OrderItem | None:
    """The one item whose name shares two characters in a row with the text."""
    cleaned = clean(text)
    pairs = {cleaned[k : k + 2] for k in range(len(cleaned) - 1)}
    named = [i for i in items if any(pair in clean(i.name) for pair in pairs)]
    return named[0] if len(named) == 1 else None


def item_list(ctx: Context, order: Order) -> str:
    lines = [ctx.texts.render("aftersales_item_heading", order_no=order.order_no)]
    lines += [f"{n}. {item.name}×{item.qty}" for n, item in enumerate(order.items, 1)]
    return "\n".join(lines)


async def policy_for(ctx: Context, order: Order, item: OrderItem | None) -> PolicyCheck:
    """The policy for the request as the slots say it; the item's product may refuse
    no-reason returns (opened cosmetics)."""
    slots = ctx.dialog
    assert slots is not None
    product = await ctx.repos.products.by_sku(item.sku) if item is not None else None
    non_returnable = bool(product and product.non_returnable)
    return check_policy(ctx, order, slots["type"], slots["reason"], non_returnable)
