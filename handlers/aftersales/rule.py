"""After-sales requests: returns, exchanges, refunds and repairs, collected in a dialog.

The dialog asks one question at a time, only for what is still missing: the order (verified
as for order questions), the item, the type, the reason, a description and photos. Usage
problems are answered from the FAQ first. The policy is checked as soon as it can be; a
request outside it is explained and submitted only if the customer insists.
"""

from typing import Any

from core.messages import Reply
from core.patterns import order_references
from handlers.aftersales import words as said
from handlers.aftersales.flow import (
    AFTERSALES_CATEGORIES,
    MAX_DESCRIPTION_CHARS,
    advance,
    description_of,
    intro,
    question,
    recent_media,
    settle,
    take_reference,
)
from handlers.aftersales.state import AfterSalesState
from handlers.aftersales.steps import STEPS, correction, note_description
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.words import asks_ticket_progress

MAX_MENTIONS = 5  # messages kept for the item they may name


class AfterSalesRule:
    name = "aftersales"
    interrupts_dialogs = False
    flows = (AfterSalesState.FLOW,)

    async def match(self, ctx: Context) -> dict[str, Any] | None:
        """A request to start, or a problem with something received; not a policy question."""
        text = ctx.text
        if asks_ticket_progress(text):
            return None  # "我的售后进度": a request made before, for the ticket status rule
        reports = said.reports_problem(text)
        if not (reports or said.names_request(text)):
            return None
        faq = confident_match(ctx)
        if faq is not None and faq.entry.category not in AFTERSALES_CATEGORIES:
            return None
        asks = said.is_question(text)
        if asks and faq is not None:
            return None  # "退货运费谁出": the FAQ answers it
        if not (reports or said.wants_request(text)) and (asks or faq is not None):
            return None
        references = order_references(text)
        return {
            "type": said.request_type(text),
            "reason": said.reason(text),
            "description": description_of(ctx) if said.has_details(text) else "",
            "reference": references[0] if references else "",
        }

    async def handle(self, ctx: Context, found: dict[str, Any]) -> list[Reply]:
        if AfterSalesState.holds(ctx.dialog):
            # A copy: the router sees the dialog was taken up and does not ask again itself.
            stored = dict(ctx.dialog)
            slots = AfterSalesState.from_stored(stored)
            ctx.dialog = stored
            replies = await _more(ctx, slots, found)
        else:
            slots = AfterSalesState(
                prompt="aftersales_ask_order",
                since=ctx.clock.now().isoformat(),
                type=found["type"],
                reason=found["reason"],
                description=found["description"],
                mentions=[ctx.text.strip()[:MAX_DESCRIPTION_CHARS]],  # may name the item
                media=list(dict.fromkeys([*recent_media(ctx), *ctx.incoming.media])),
            )
            stored = slots.to_stored()
            ctx.dialog = stored
            replies = await _start(ctx, slots, found)
        _keep(ctx, stored, slots)
        return replies

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """The answer to the open question, or None when the message is no answer to it."""
        stored = ctx.dialog
        assert stored is not None
        slots = AfterSalesState.from_stored(stored)
        replies = await _resume(ctx, slots)
        # Even a message that is no answer leaves its photos and words in the slots.
        _keep(ctx, stored, slots)
        return replies


def _keep(ctx: Context, stored: dict[str, Any], slots: AfterSalesState) -> None:
    """Store the slots in the dialog they came from, in place (the router compares the
    dialog it gave with the one it gets back), unless the dialog ended or another took over."""
    if ctx.dialog is stored:
        stored.clear()
        stored.update(slots.to_stored())


async def _start(ctx: Context, slots: AfterSalesState, found: dict[str, Any]) -> list[Reply]:
    settle(slots)
    opening = intro(ctx, slots)
    if found["reference"]:
        return [opening, *await take_reference(ctx, slots, found["reference"])]
    return await advance(ctx, slots, lead=[opening.text])


async def _more(ctx: Context, slots: AfterSalesState, found: dict[str, Any]) -> list[Reply]:
    """A request said again in the middle of one ("我要换货"): take what is new."""
    if found["description"] and not slots.description:
        note_description(ctx, slots)  # "质量问题 有一片是空的"
    if not _adds_to(slots, found):
        # Nothing new ("换货" for "what happened?"): the question stands.
        return [ctx.say(slots.prompt + "_again")]
    slots.type = found["type"] or slots.type
    slots.reason = found["reason"] or slots.reason
    slots.forget("insisted")  # the policy may say otherwise now
    return await advance(ctx, slots)


async def _resume(ctx: Context, slots: AfterSalesState) -> list[Reply] | None:
    media = list(ctx.incoming.media)
    if media:
        slots.media = [*slots.media, *media]
    step = slots.step
    text = ctx.text
    if not slots.item_id and text.strip():
        # Said before the item is chosen: it may name it ("KF2026…的面霜").
        mentions = [*slots.mentions, text.strip()[:MAX_DESCRIPTION_CHARS]]
        slots.mentions = mentions[-MAX_MENTIONS:]
    if slots.order_no and step != "order_confirm":
        corrected = await correction(ctx, slots, text)
        if corrected is not None:
            return corrected
    replies = await STEPS[step](ctx, slots, text) if step in STEPS else None
    if replies is None and media:
        # Photos sent while another question is open: kept, and the question stands.
        return [question(ctx, slots, [ctx.texts.render("aftersales_photos_received")])]
    return replies


def _adds_to(slots: AfterSalesState, found: dict[str, Any]) -> bool:
    """Whether a request said again in the middle of one changes its type or reason."""
    return any(found[slot] not in (None, getattr(slots, slot)) for slot in ("type", "reason"))
