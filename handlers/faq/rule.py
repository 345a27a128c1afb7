"""Answers from the FAQ knowledge base, and picking one of the suggested questions."""

from collections.abc import Sequence

from core.messages import Reply
from core.settings import Settings
from handlers.answers import bare_yes_or_no, choice
from handlers.context import Context
from handlers.faq.state import FaqPick
from knowledge import FaqMatch

SUGGESTED = 3  # at most this many questions offered


def best_match(ctx: Context) -> FaqMatch | None:
    """The closest FAQ entry for this message."""
    matches = ctx.faq_matches
    return matches[0] if matches else None


def confident(matches: Sequence[FaqMatch], settings: Settings) -> FaqMatch | None:
    """The match to answer with: the best, when it is sure enough."""
    if not matches or matches[0].confidence < settings.faq_answer_confidence:
        return None
    return matches[0]


def worth_suggesting(matches: Sequence[FaqMatch], settings: Settings) -> list[FaqMatch]:
    """The matches close enough to offer as "did you mean" choices."""
    return [m for m in matches if m.score >= settings.faq_suggest_score]


def confident_match(ctx: Context) -> FaqMatch | None:
    """The FAQ entry to answer this message with, if one is clear."""
    return confident(ctx.faq_matches, ctx.settings)


def suggestions(ctx: Context) -> list[FaqMatch]:
    """The entries close enough to offer for this message."""
    return worth_suggesting(ctx.faq_matches[:SUGGESTED], ctx.settings)


def _choice(text: str, offered: int) -> int | None:
    """The number of the question picked; yes to a single offered question picks it."""
    if offered == 1 and bare_yes_or_no(text):
        return 1
    return choice(text, offered)


class FaqRule:
    name = "faq"
    interrupts_dialogs = False
    flows = (FaqPick.FLOW,)

    async def match(self, ctx: Context) -> FaqMatch | None:
        return confident_match(ctx)

    async def handle(self, ctx: Context, found: FaqMatch) -> list[Reply]:
        return [Reply(found.entry.answer)]

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """A number picks one of the questions offered; anything else drops the offer."""
        assert ctx.dialog is not None
        ids = FaqPick.from_stored(ctx.dialog).ids
        picked = _choice(ctx.text, len(ids))
        ctx.end_dialog()
        if picked is None:
            return None
        entry = ctx.kb.get(ids[picked - 1])
        if entry is None:  # the FAQ changed since the offer
            return None
        return [Reply(entry.answer)]
