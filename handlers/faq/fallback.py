"""When nothing else fits: offer the closest FAQ questions, or say what the bot can do, and
after two misses in a row offer a person."""

from core.enums import ConversationMode
from core.messages import Reply
from handlers.context import Context
from handlers.faq.rule import best_match, suggestions
from handlers.faq.state import FaqPick
from handlers.handover.rule import offer_person


class FallbackRule:
    name = "fallback"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> bool:
        return True

    async def handle(self, ctx: Context, found: object) -> list[Reply]:
        best = best_match(ctx)
        await ctx.repos.unanswered.add(
            ctx.message_id, ctx.whole_text, best.score if best else 0.0, ctx.clock.now()
        )
        offered = suggestions(ctx)
        if offered:
            ctx.start_dialog(FaqPick(ids=[m.entry.id for m in offered]))
            if len(offered) == 1:
                return [ctx.say("did_you_mean_one", question=offered[0].entry.question)]
            lines = [ctx.texts.render("did_you_mean")]
            lines += [f"{n}. {m.entry.question}" for n, m in enumerate(offered, 1)]
            lines.append(ctx.texts.render("did_you_mean_footer"))
            return [Reply("\n".join(lines))]
        # Only complete misses count towards offering a person; choices are progress.
        ctx.memory["fallbacks"] = ctx.fallbacks_in_a_row + 1
        if ctx.fallbacks_in_a_row < 1:
            return [ctx.say("not_understood")]
        if ctx.conversation.mode == ConversationMode.QUEUED:
            return [ctx.say("not_understood_queued")]  # a person is on the way already
        return [offer_person(ctx)]
