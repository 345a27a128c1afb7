"""The customer's answer to a satisfaction visit (回访): a rating, then an optional comment.

While a visit sent to this chat is open (sent, not answered, not past `visit_expire_hours`),
a message that is essentially a rating ("5", "五星", "⭐⭐⭐⭐", "不太满意") answers it. The rule
comes before complaints, so a short "很差" after a visit is a rating, not a complaint; anything
else, a new question above all, is routed as usual and the visit stays open.

The rating is recorded once, thanked for by score and followed by a request for a comment, in
a soft dialog: the next message is the comment unless it is a new question (routed as usual),
or says there is nothing to add ("没有了"). A rating of 1 or 2 opens a follow-up ticket for
staff, with a staff notification; the comment becomes the customer's note on it. A rating
given while another dialog waited for an answer leaves that dialog to carry on afterwards.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from core.enums import TicketKind
from core.messages import Reply
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.logistics.rule import asks_for_parcel_or_orders
from handlers.smalltalk.rule import smalltalk_of
from handlers.survey.state import SurveyComment
from handlers.survey.words import read_rating
from handlers.tickets.opening import open_ticket
from handlers.words import asks_something
from knowledge.normalize import clean
from storage.models import FollowUp, Ticket

# Ratings at or below this open a follow-up ticket for staff.
LOW_RATING = 2
MIDDLE_RATING = 3
MAX_COMMENT_CHARS = 500
# Smalltalk that closes the visit without a comment ("谢谢", "再见", "👍").
NOTHING_SAID = ("thanks", "goodbye", "empty")
# Smalltalk that is no comment, and is answered as usual: an opener, a photo alone.
NOT_COMMENTS = ("greeting", "media")
# "没有了", "暂时没什么建议", "没问题了，谢谢", "就这样吧": nothing to add.
_NOTHING_TO_ADD = re.compile(
    r"(?:好的|嗯|亲)*"
    r"(?:(?:暂时|目前|也)?(?:没有|没|无)(?:什么|啥|别的|其他)?"
    r"(?:意见|建议|问题|要说的|想说的|好说的|补充)?|就这样|不用)"
    r"(?:了|啦|吧|哦|的|呢|啊|呀|谢谢|谢谢你|谢谢您|感谢)*"
)


@dataclass(frozen=True)
class Rating:
    """A rating given while a visit waits for one."""

    visit: FollowUp
    score: int


class SurveyRule:
    name = "survey"
    interrupts_dialogs = False
    flows: tuple[str, ...] = (SurveyComment.FLOW,)

    async def match(self, ctx: Context) -> Rating | None:
        score = read_rating(ctx.text)
        if score is None:
            return None  # the database is asked only about what reads as a rating
        since = ctx.clock.now() - timedelta(hours=ctx.settings.visit_expire_hours)
        visit = await ctx.repos.followups.open_visit(ctx.identity.id, since=since)
        return Rating(visit, score) if visit is not None else None

    async def handle(self, ctx: Context, found: Rating) -> list[Reply]:
        visit, score = found.visit, found.score
        if not await ctx.repos.followups.record_rating(visit.id, score, ctx.clock.now()):
            return [ctx.say("survey_no_comment")]  # answered a moment ago, elsewhere
        comment = SurveyComment(followup_id=visit.id)
        if score <= LOW_RATING:
            ticket = await _open_followup_ticket(ctx, visit, score)
            visit.followup_ticket_id = ticket.id
            comment.ticket = ticket.number
            thanks = ctx.texts.render("survey_sorry", rating=score, number=ticket.number)
        elif score == MIDDLE_RATING:
            thanks = ctx.texts.render("survey_thanks_mid", rating=score)
        else:
            thanks = ctx.texts.render("survey_thanks_high", rating=score)
        ask = "survey_ask_comment" if score > MIDDLE_RATING else "survey_ask_what_went_wrong"
        # A dialog the rating came in the middle of carries on after the comment.
        comment.resume = ctx.dialog
        ctx.start_dialog(comment)
        return [Reply(f"{thanks}\n{ctx.texts.render(ask)}")]

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """The comment is stored; nothing to add is thanked for; a new question is routed."""
        assert ctx.dialog is not None
        state = SurveyComment.from_stored(ctx.dialog)
        ctx.dialog = state.resume
        said = smalltalk_of(ctx)
        if (
            said in NOTHING_SAID
            or _NOTHING_TO_ADD.fullmatch(clean(ctx.text))
            # Rated already: another rating adds nothing, and is not recorded again.
            or read_rating(ctx.text) is not None
        ):
            closing = "survey_no_comment_low" if state.ticket else "survey_no_comment"
            return _carry_on(ctx, state, ctx.say(closing))
        if said in NOT_COMMENTS or _asks_something_new(ctx):
            return None
        visit = await ctx.repos.followups.get(state.followup_id)
        if visit is None:
            return None
        comment = ctx.whole_text.strip()
        visit.comment = comment[:MAX_COMMENT_CHARS]
        ticket_id = visit.followup_ticket_id
        ticket = await ctx.repos.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None:
            return _carry_on(ctx, state, ctx.say("survey_comment_thanks"))
        # Staff read the whole of it on the ticket.
        await ctx.repos.tickets.add_event(
            ticket, ctx.clock.now(), "note", text=comment, author="customer"
        )
        return _carry_on(ctx, state, ctx.say("survey_comment_added", number=ticket.number))


def _carry_on(ctx: Context, state: SurveyComment, reply: Reply) -> list[Reply]:
    """The reply, and the question of the dialog the rating interrupted, if any."""
    earlier_prompt = state.resumed_prompt()
    return [reply, ctx.say(earlier_prompt)] if earlier_prompt else [reply]


def _asks_something_new(ctx: Context) -> bool:
    """A question or request other rules answer: worded as a question, one the FAQ answers
    with confidence ("我要退货"), about a parcel or the customer's orders."""
    if asks_something(ctx.text) or asks_for_parcel_or_orders(ctx.text):
        return True
    return confident_match(ctx) is not None


async def _open_followup_ticket(ctx: Context, visit: FollowUp, score: int) -> Ticket:
    """A ticket for staff to call back about a low rating, about what the visit asked about."""
    visited = await ctx.repos.tickets.get(visit.ticket_id) if visit.ticket_id else None
    ticket = await open_ticket(
        ctx,
        TicketKind.FOLLOWUP,
        order_id=visit.order_id or (visited.order_id if visited else None),
        reason=f"回访评分 {score}/5",
        notice=f"低分回访 {score}/5：{{number}}",
    )
    if visited is not None:
        subject = f"工单 {visited.number} 处理后的"
    else:
        order_no = await ctx.repos.tickets.order_number(ticket)
        subject = f"订单 {order_no} 签收后的" if order_no else ""
    ticket.description = (
        f"客户在{subject}满意度回访中打了 {score} 分（满分 5 分），请联系客户了解情况。"
    )
    return ticket
