"""Answers from the FAQ knowledge base, and picking one of the suggested questions."""

import re

from bot.messages import Reply
from handlers.context import Context
from handlers.patterns import fold
from knowledge import FaqMatch

PICK_FLOW = "faq_pick"
_CHOICE_WORDS = {"第一个": 1, "第二个": 2, "第三个": 3, "一": 1, "二": 2, "三": 3}
# Yes to a single offered question picks it.
_YES_WORDS = frozenset({"是", "是的", "对", "对的", "嗯", "嗯嗯", "好", "好的", "要", "yes", "ok"})
_CHOICE_DIGIT = re.compile(r"^\s*([1-9])\s*[.、。)）]?\s*$")


def best_match(ctx: Context) -> FaqMatch | None:
    """The closest FAQ entry for this message, searched once per message."""
    if "faq_best" not in ctx.memo:
        matches = ctx.kb.search(ctx.text, limit=3)
        ctx.memo["faq_best"] = matches
    matches = ctx.memo["faq_best"]
    return matches[0] if matches else None


def confident_match(ctx: Context) -> FaqMatch | None:
    """The FAQ entry to answer with: above the answer score and clearly ahead of the next."""
    match = best_match(ctx)
    if match is None or match.score < ctx.settings.faq_answer_score:
        return None
    runner_up = ctx.memo["faq_best"][1:2]
    if runner_up and match.score - runner_up[0].score < ctx.settings.faq_ambiguity_margin:
        return None
    return match


def suggestions(ctx: Context) -> list[FaqMatch]:
    """The entries close enough to offer as "did you mean" choices."""
    best_match(ctx)
    threshold = ctx.settings.faq_suggest_score
    return [m for m in ctx.memo["faq_best"] if m.score >= threshold]


def _choice(text: str, offered: int) -> int | None:
    folded = fold(text).strip()
    digit = _CHOICE_DIGIT.match(folded)
    if digit:
        return int(digit.group(1))
    word = folded.rstrip("吧呀啊。.!！～~").lower()
    if offered == 1 and word in _YES_WORDS:
        return 1
    return _CHOICE_WORDS.get(word)


class FaqRule:
    name = "faq"
    interrupts_dialogs = False
    flows = (PICK_FLOW,)

    async def match(self, ctx: Context) -> FaqMatch | None:
        return confident_match(ctx)

    async def handle(self, ctx: Context, found: FaqMatch) -> list[Reply]:
        return [Reply(found.entry.answer)]

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """A number picks one of the questions offered; anything else drops the offer."""
        assert ctx.dialog is not None
        ids: list[str] = ctx.dialog.get("ids", [])
        choice = _choice(ctx.text, len(ids))
        ctx.end_dialog()
        if choice is None or not 1 <= choice <= len(ids):
            return None
        entry = ctx.kb.get(ids[choice - 1])
        if entry is None:  # the FAQ changed since the offer
            return None
        return [Reply(entry.answer)]
