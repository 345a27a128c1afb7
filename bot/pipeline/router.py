"""The order of rules (DESIGN §3): first match wins; an open dialog gets the first word."""

from collections.abc import Sequence

from core.enums import ConversationMode
from core.messages import Reply
from handlers.aftersales.rule import AfterSalesRule
from handlers.complaints.rule import ComplaintRule
from handlers.context import Context
from handlers.dialog_state import DialogFrame
from handlers.faq.fallback import FallbackRule
from handlers.faq.rule import FaqRule
from handlers.handover.rule import HandoverRule, offer_person
from handlers.logistics.rule import LogisticsRule
from handlers.orders.rule import OrderRule
from handlers.products.rule import ProductRule
from handlers.rule import DialogOwner, Rule
from handlers.smalltalk.rule import SmalltalkRule
from handlers.survey.rule import SurveyRule
from handlers.tickets.replies import TicketReplyRule
from handlers.tickets.status import TicketStatusRule
from handlers.verification.binding import Verification
from handlers.words import contains_any
from knowledge.normalize import clean

CANCEL_WORDS = (
    "算了",
    "取消",
    "不查了",
    "不用了",
    "不办了",
    "不退了",
    "不换了",
    "不要了",
    "退出",
)
MAX_DIALOG_MISSES = 3


class Router:
    """Rules tried in order, then the fallback, which answers anything."""

    def __init__(
        self, rules: Sequence[Rule], owners: Sequence[DialogOwner], fallback: Rule
    ) -> None:
        self._rules = list(rules)
        self._owners = {flow: owner for owner in owners for flow in owner.flows}
        self._fallback = fallback
        self._by_name = {rule.name: rule for rule in self._rules}

    async def route(self, ctx: Context) -> list[Reply]:
        """The replies to one message."""
        ctx.handoff = self._hand_to
        ctx.fallbacks_in_a_row = int(ctx.memory.pop("fallbacks", 0))
        if ctx.dialog_expired():
            ctx.end_dialog()
        if ctx.dialog is not None:
            replies = await self._continue_dialog(ctx)
            if replies is not None:
                return replies
        rule, found = await self._matching_rule(ctx)
        if rule is None:
            rule = self._fallback
        ctx.handled_by = rule.name
        return await rule.handle(ctx, found)

    async def _continue_dialog(self, ctx: Context) -> list[Reply] | None:
        dialog = ctx.dialog
        assert dialog is not None
        frame = DialogFrame.from_stored(dialog)
        owner = self._owners.get(frame.flow)
        if owner is None:  # a flow from an older version: drop it
            ctx.end_dialog()
            return None
        for rule in self._rules:
            if rule.interrupts_dialogs and (found := await rule.match(ctx)):
                ctx.handled_by = rule.name
                replies = await rule.handle(ctx, found)
                # The dialog is kept, and its question asked again, unless a person takes over.
                ctx.dialog = dialog
                if ctx.conversation.mode == ConversationMode.BOT and frame.prompt:
                    replies.append(ctx.say(frame.prompt))
                return replies
        # The owner reads the answer first: "不用了" may answer its question ("any photos?").
        ctx.handled_by = frame.flow
        replies = await owner.resume(ctx)
        if replies is None and frame.soft and ctx.dialog not in (None, dialog):
            # A soft dialog that had interrupted another handed it back: it reads the message.
            return await self._continue_dialog(ctx)
        if replies is not None or frame.soft:
            return replies
        if _is_cancel(ctx.text):
            ctx.end_dialog()
            return [ctx.say("dialog_cancelled")]
        # Not an answer: another rule may take the message, then the question is asked again.
        ctx.memo["dialog_declined"] = True
        rule, found = await self._matching_rule(ctx)
        if rule is None:
            return self._ask_again(ctx, frame)
        ctx.handled_by = rule.name
        replies = await rule.handle(ctx, found)
        if ctx.dialog is dialog:
            replies.append(ctx.say(frame.prompt))
        return replies

    def _ask_again(self, ctx: Context, frame: DialogFrame) -> list[Reply]:
        """The dialog's question again; after three answers that were none, offer a person."""
        misses = frame.misses + 1
        frame.misses = 0 if misses >= MAX_DIALOG_MISSES else misses
        ctx.dialog = frame.to_stored()
        if misses < MAX_DIALOG_MISSES:
            return [ctx.say(frame.prompt + "_again")]
        if ctx.conversation.mode == ConversationMode.BOT:
            # The offer holds the dialog, which carries on whatever the answer.
            return [offer_person(ctx, resume=ctx.dialog)]
        return [ctx.say("dialog_offer_person")]  # in the queue already

    async def _hand_to(self, ctx: Context, feature: str) -> list[Reply] | None:
        """The named rule's replies, when it matches the message a rule handed on."""
        rule = self._by_name.get(feature)
        if rule is None:
            return None
        found = await rule.match(ctx)
        return await rule.handle(ctx, found) if found else None

    async def _matching_rule(self, ctx: Context) -> tuple[Rule | None, object]:
        for rule in self._rules:
            found = await rule.match(ctx)
            if found:
                return rule, found
        return None, None


def _is_cancel(text: str) -> bool:
    cleaned = clean(text)
    return len(cleaned) <= 6 and contains_any(cleaned, CANCEL_WORDS)


def default_router() -> Router:
    """The rules in the order DESIGN §3 gives them."""
    complaints = ComplaintRule()
    aftersales = AfterSalesRule()
    orders = OrderRule()
    faq = FaqRule()
    handover = HandoverRule()
    survey = SurveyRule()
    products = ProductRule()
    rules: list[Rule] = [
        handover,
        # Before complaints: a short "很差" answering a visit is a rating, not a complaint.
        survey,
        complaints,
        TicketReplyRule(),
        aftersales,
        TicketStatusRule(),
        LogisticsRule(),
        orders,
        products,
        SmalltalkRule(),
        faq,
    ]
    owners: list[DialogOwner] = [
        Verification(),
        orders,
        faq,
        aftersales,
        complaints,
        handover,
        survey,
        products,
    ]
    return Router(rules, owners, fallback=FallbackRule())
