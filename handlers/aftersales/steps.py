"""The after-sales dialog's steps: each reads the answer to its question.

A step returns None when the message is no answer, so the router can let another rule take
it (a question for the FAQ) and ask again, and after three such answers offer a person.
"""

from core.messages import Reply
from core.patterns import order_references, phone_last_four
from handlers.aftersales import words as said
from handlers.aftersales.flow import (
    advance,
    choose_item,
    description_of,
    forget_media,
    item_named,
    item_of,
    policy_for,
    take_access,
    take_reference,
)
from handlers.aftersales.policy import submit
from handlers.aftersales.state import AfterSalesState
from handlers.aftersales.words import EXCHANGE, NO_REASON, QUALITY, REFUND, REPAIR, RETURN, USAGE
from handlers.answers import bare_yes_or_no, choice, yes_or_no
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.verification.binding import verify_digits
from storage.models import Order, OrderItem

TYPE_CHOICES = (RETURN, EXCHANGE, REFUND, REPAIR)  # as numbered in aftersales_ask_type
REASON_CHOICES = (QUALITY, NO_REASON)  # as numbered in aftersales_ask_reason


async def _order_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    references = order_references(text)
    if not references:
        return None
    # "KF2026…的面霜我不喜欢": the reason and a description may come with the number;
    # "不是这个订单，是KF2026…" is a correction, no description.
    if not said.corrects(text):
        reason = said.reason(text)
        if slots.reason is None and reason in REASON_CHOICES:
            slots.reason = reason
        note_description(ctx, slots)
    return await take_reference(ctx, slots, references[0])


def note_description(ctx: Context, slots: AfterSalesState) -> None:
    """Keep what the message tells as the description, when there is none yet: once given, a
    description is never asked for again."""
    text = ctx.text
    if not slots.description and said.has_details(text) and not said.corrects(text):
        slots.description = description_of(ctx)


async def _order_confirm_step(
    ctx: Context, slots: AfterSalesState, text: str
) -> list[Reply] | None:
    if order_references(text):
        return await _order_step(ctx, slots, text)
    offered = ctx.memory.get("order_no")
    answer = yes_or_no(text)
    if said.says_wrong_order(text) or said.says_wrong_item(text):
        answer = False
    if answer is None or not offered:
        return None
    if answer:
        return await take_reference(ctx, slots, offered)
    slots.declined_order = offered
    return await advance(ctx, slots)


async def _verify_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    if order_references(text):
        return await _order_step(ctx, slots, text)
    digits = phone_last_four(text)
    if digits is None:
        return None
    reference = slots.reference
    return await take_access(ctx, slots, reference, await verify_digits(ctx, reference, digits))


async def _item_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    order = await ctx.repos.orders.by_number(slots.order_no)
    if order is None:
        return await advance(ctx, slots)
    number = choice(text, len(order.items))
    item = order.items[number - 1] if number else item_named(text, order.items)
    if item is None:
        return None
    choose_item(slots, item)
    return await advance(ctx, slots)


async def _type_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    number = choice(text, len(TYPE_CHOICES))
    request_type = said.request_type(text) or (TYPE_CHOICES[number - 1] if number else None)
    reason = said.reason(text)
    if request_type is None:
        if reason != USAGE:
            return None
        request_type = REPAIR
    if request_type == REPAIR and number and slots.reason is None:
        reason = USAGE  # "4. 维修或使用问题": help first, a repair if that is not enough
    slots.type = request_type
    if reason is not None and slots.reason in (None, USAGE):
        slots.reason = reason
    note_description(ctx, slots)
    return await advance(ctx, slots)


async def _reason_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    number = choice(text, len(REASON_CHOICES))
    reason = said.reason(text) or (REASON_CHOICES[number - 1] if number else None)
    if reason is None:
        return None
    slots.reason = QUALITY if reason == USAGE else reason  # "用不了" is a fault here
    note_description(ctx, slots)
    return await advance(ctx, slots)


async def _insist_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    answer = yes_or_no(text)
    if answer is None:
        return None
    if not answer:
        ctx.end_dialog()
        return [ctx.say("aftersales_insist_declined")]
    slots.insisted = True
    note_description(ctx, slots)  # "要，盒子都压扁了"
    return await advance(ctx, slots)


async def _description_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    usage_question = slots.reason == USAGE and not slots.usage_done
    if not usage_question and said.is_question(text) and confident_match(ctx) is not None:
        return None  # a question in between: answered by the FAQ, then asked again
    if bare_yes_or_no(text) is False and not usage_question:
        slots.description_skipped = True  # nothing more to say
        return await advance(ctx, slots)
    if not said.describes(text):
        return None  # "换货", "确认", "阿巴阿巴": no description, the question stands
    slots.description = description_of(ctx)
    reason = said.reason(text)
    if slots.reason == USAGE and reason == QUALITY:
        # "按压泵坏了": not a usage question after all, a fault to return or exchange.
        slots.reason, slots.type, slots.usage_done = QUALITY, None, True
    elif slots.reason is None and reason in REASON_CHOICES:
        slots.reason = reason
    return await advance(ctx, slots)


async def _solved_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    answer = yes_or_no(text)
    if answer is None:
        return None
    if answer:
        ctx.end_dialog()
        return [ctx.say("aftersales_usage_solved")]
    slots.usage_done = True
    return await advance(ctx, slots, [ctx.texts.render("aftersales_usage_not_solved")])


async def _photos_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    if ctx.incoming.media:
        return await advance(ctx, slots, [ctx.texts.render("aftersales_photos_received")])
    answer = yes_or_no(text)
    if answer is None:
        return None
    if answer:
        return [ctx.say("aftersales_photos_waiting")]
    slots.photos_skipped = True
    return await advance(ctx, slots)


async def _submit_step(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    answer = yes_or_no(text)
    if answer is None:
        return None
    if not answer:
        ctx.end_dialog()
        return [ctx.say("aftersales_not_submitted")]
    order = await ctx.repos.orders.by_number(slots.order_no)
    assert order is not None
    item = item_of(order, slots)
    policy = await policy_for(ctx, slots, order, item)
    ctx.end_dialog()
    replies = await submit(ctx, slots, order, item, policy)
    forget_media(ctx, slots.media)
    return replies


async def correction(ctx: Context, slots: AfterSalesState, text: str) -> list[Reply] | None:
    """A correction: "不是这个订单" or another order number asks for the order again (or
    takes the one given), "不是这个" asks for the item again, "不对，是面霜" takes the item.

    A correction naming the order or the item already chosen ("哦不对，还是刚才那个 KF…")
    changes nothing: the open question is asked again, and never read as its answer.
    """
    step = slots.step
    corrects = said.corrects(text)
    wrong_order = said.says_wrong_order(text)
    # A number inside a description or an answer to "did that help?" is no new order,
    # unless it is said as a correction.
    in_words = step in ("description", "solved") and not corrects
    references = [] if in_words else order_references(text)
    # The chosen order is read only to check a correction against it.
    needs_order = references or corrects or (said.says_wrong_item(text) and slots.item_id)
    order = await ctx.repos.orders.by_number(slots.order_no) if needs_order else None
    if references and order is not None and references[0] == order.order_no:
        return await advance(ctx, slots)
    if said.says_wrong_item(text) and not wrong_order and slots.item_id:
        if order is not None and len(order.items) > 1:
            slots.declined_item = slots.item_id
            slots.forget("item_id", "item_name", "insisted")
            return await advance(ctx, slots)
        wrong_order = True
    if corrects and not (wrong_order or references) and step != "solved":
        item = _corrected_item(text, order, slots)
        if item is not None:
            if item.id != slots.item_id:
                choose_item(slots, item)
            return await advance(ctx, slots)
    if not (wrong_order or references):
        return None
    slots.declined_order = slots.order_no
    slots.forget("order_no", "item_id", "item_name", "insisted", "declined_item")
    if references:
        return await take_reference(ctx, slots, references[0])
    return await advance(ctx, slots)


def _corrected_item(text: str, order: Order | None, slots: AfterSalesState) -> OrderItem | None:
    """The item a correction names ("不对，是面霜"), when the order has several: another
    one, or the one chosen when the text says nothing else ("精华还是过敏" describes)."""
    if order is None or len(order.items) < 2:
        return None
    item = item_named(text, order.items)
    if item is None or (item.id == slots.item_id and said.reason(text) is not None):
        return None
    return item


STEPS = {
    "order": _order_step,
    "order_confirm": _order_confirm_step,
    "verify": _verify_step,
    "item": _item_step,
    "type": _type_step,
    "reason": _reason_step,
    "insist": _insist_step,
    "description": _description_step,
    "solved": _solved_step,
    "photos": _photos_step,
    "submit": _submit_step,
}
