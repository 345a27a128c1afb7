"""Customers answering a satisfaction visit (回访): a rating, a comment, and the follow-up
ticket a low rating opens, as transcripts."""

import pytest
from sqlalchemy import select

from bot.desk.actor import Actor
from bot.desk.tickets import show_ticket, update_ticket
from bot.services import Services
from handlers.survey.rule import MAX_COMMENT_CHARS
from handlers.tickets.opening import add_ticket
from storage.models import FollowUp, StaffNotification
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.survey import (
    ORDER_NO,
    TEXTS,
    identity_of,
    send_due,
    send_followup,
    stored_visit,
    tickets_of,
    visit_sent,
)

FAQ_QUESTION = "运费怎么算？"


async def notices(services: Services) -> list[str]:
    async with services.sessions() as session:
        return list(await session.scalars(select(StaffNotification.reason)))


def rated(template: str, rating: int, ask: str, **fields: str) -> str:
    return "\n".join([TEXTS.render(template, rating=rating, **fields), TEXTS.render(ask)])


# --- ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "rating", "template", "ask"),
    [
        ("５分", 5, "survey_thanks_high", "survey_ask_comment"),
        ("⭐⭐⭐⭐", 4, "survey_thanks_high", "survey_ask_comment"),
        ("挺满意的", 4, "survey_thanks_high", "survey_ask_comment"),
        ("一般吧", 3, "survey_thanks_mid", "survey_ask_what_went_wrong"),
    ],
)
async def test_a_rating_is_recorded_and_thanked_for(
    services: Services, chat: Chat, answer: str, rating: int, template: str, ask: str
) -> None:
    await visit_sent(services, chat)

    assert await chat.ask(answer) == rated(template, rating, ask)

    visit = await stored_visit(services)
    assert (visit.status, visit.rating, visit.answered_at) == ("answered", rating, chat.clock.now())
    assert await tickets_of(services, "followup") == []


async def test_the_next_message_is_the_comment(services: Services, chat: Chat) -> None:
    await visit_sent(services, chat)
    await chat.ask("非常满意")

    assert await chat.ask("发货很快，包装也很用心👍") == TEXTS.render("survey_comment_thanks")

    visit = await stored_visit(services)
    assert (visit.rating, visit.comment) == (5, "发货很快，包装也很用心👍")
    # The comment was the last word: what follows is routed as usual.
    assert await chat.ask(FAQ_QUESTION) == await chat.as_user("bob").ask(FAQ_QUESTION)


@pytest.mark.parametrize("answer", ["没有了", "不用了", "没了", "谢谢", "暂时没什么建议", "好的"])
async def test_nothing_to_add_stores_no_comment(
    services: Services, chat: Chat, answer: str
) -> None:
    await visit_sent(services, chat)
    await chat.ask("5")

    assert await chat.ask(answer) == TEXTS.render("survey_no_comment")

    visit = await stored_visit(services)
    assert (visit.rating, visit.comment) == (5, "")


async def test_a_dialog_the_rating_came_in_carries_on_after_it(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("我要退货")  # the after-sales dialog asks which order

    assert await chat.ask("很满意") == rated("survey_thanks_high", 5, "survey_ask_comment")
    assert await chat.ask("没有了") == "\n".join(
        [TEXTS.render("survey_no_comment"), TEXTS.render("aftersales_ask_order")]
    )
    assert (await stored_visit(services)).rating == 5


# --- low ratings -----------------------------------------------------------------------------


async def test_a_low_rating_opens_a_followup_ticket_for_staff(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)

    reply = await chat.ask("很差")

    [ticket] = await tickets_of(services, "followup")
    assert reply == rated("survey_sorry", 1, "survey_ask_what_went_wrong", number=ticket.number)
    assert ticket.number.startswith("FU")
    assert await tickets_of(services, "complaint") == []  # a rating, not a complaint
    visit = await stored_visit(services)
    assert (visit.rating, visit.followup_ticket_id) == (1, ticket.id)
    assert visit.order_id is not None and ticket.order_id == visit.order_id
    assert "1 分" in ticket.description and ORDER_NO in ticket.description
    assert f"低分回访 1/5：{ticket.number}" in await notices(services)


async def test_the_comment_on_a_low_rating_is_a_note_on_its_ticket(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("不太满意")
    [ticket] = await tickets_of(services, "followup")

    reply = await chat.ask("面霜收到的时候盖子是裂的")

    assert reply == TEXTS.render("survey_comment_added", number=ticket.number)
    detail = await show_ticket(services.sessions, ticket.number)
    notes = [(e.text, e.author) for e in detail.events if e.kind == "note"]
    assert notes == [("面霜收到的时候盖子是裂的", "customer")]
    assert (await stored_visit(services)).comment == "面霜收到的时候盖子是裂的"


async def test_a_long_comment_is_cut_for_the_visit_and_kept_whole_for_staff(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("差")
    comment = "盖子裂了，" * 200

    await chat.ask(comment)

    assert len((await stored_visit(services)).comment) == MAX_COMMENT_CHARS
    [ticket] = await tickets_of(services, "followup")
    detail = await show_ticket(services.sessions, ticket.number)
    assert [e.text for e in detail.events if e.kind == "note"] == [comment]


async def test_nothing_to_add_to_a_low_rating_is_answered_with_the_apology(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("2分")

    assert await chat.ask("不用了") == TEXTS.render("survey_no_comment_low")

    [ticket] = await tickets_of(services, "followup")
    detail = await show_ticket(services.sessions, ticket.number)
    assert [e for e in detail.events if e.kind == "note"] == []


async def test_a_low_rating_after_a_ticket_names_the_ticket(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    identity = await identity_of(services, chat)
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        callback = await add_ticket(
            repos, services.settings, clock.now(), identity, "callback", reason="request"
        )
    await update_ticket(
        services.sessions,
        callback.number,
        status="resolved",
        actor=Actor.command_line(clock.now()),
        texts=TEXTS,
        settings=services.settings,
    )
    clock.advance(days=services.settings.visit_after_ticket_days)
    await send_due(services)

    await chat.ask("1星")

    [ticket] = await tickets_of(services, "followup")
    assert callback.number in ticket.description
    assert f"低分回访 1/5：{ticket.number}" in await notices(services)


# --- what is no rating -----------------------------------------------------------------------


async def test_a_new_question_is_answered_and_the_visit_stays_open(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)

    assert await chat.ask(FAQ_QUESTION) == await chat.as_user("bob").ask(FAQ_QUESTION)
    assert (await stored_visit(services)).status == "sent"

    assert await chat.ask("4") == rated("survey_thanks_high", 4, "survey_ask_comment")
    assert (await stored_visit(services)).rating == 4


async def test_a_new_question_instead_of_a_comment_is_answered(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("满意")

    assert await chat.ask(FAQ_QUESTION) == await chat.as_user("bob").ask(FAQ_QUESTION)

    assert (await stored_visit(services)).comment == ""
    assert (await chat.conversation()).dialog is None


async def test_a_second_rating_is_not_recorded_again(services: Services, chat: Chat) -> None:
    await visit_sent(services, chat)
    await chat.ask("5")

    assert await chat.ask("1") == TEXTS.render("survey_no_comment")
    await chat.ask("很差")  # no visit waits any more: a complaint, as without one

    visit = await stored_visit(services)
    assert (visit.rating, visit.comment, visit.followup_ticket_id) == (5, "", None)
    assert await tickets_of(services, "followup") == []
    assert len(await tickets_of(services, "complaint")) == 1


async def test_an_expired_visit_takes_no_rating(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await visit_sent(services, chat)
    bob = chat.as_user("bob")
    await bob.ask("你好")  # as alice did, before the visit
    clock.advance(hours=services.settings.visit_expire_hours, minutes=1)

    assert await chat.ask("5") == await bob.ask("5")

    visit = await stored_visit(services)
    assert (visit.rating, visit.answered_at) == (None, None)


@pytest.mark.parametrize("answer", ["5", "很差", "⭐⭐⭐⭐⭐"])
async def test_without_a_visit_a_rating_is_routed_as_before(
    services: Services, chat: Chat, answer: str
) -> None:
    # A follow-up that asks for nothing.
    await send_followup(services, chat, "order:gift", "message", "您的赠品已经补发啦")
    bob = chat.as_user("bob")
    await bob.ask("你好")

    mine, theirs = await chat.ask(answer), await bob.ask(answer)

    assert mine.replace("0002", "0001") == theirs.replace("0002", "0001")  # ticket numbers
    async with services.sessions() as session:
        visits = await session.scalars(select(FollowUp).where(FollowUp.rating.is_not(None)))
        assert list(visits) == []
    assert await tickets_of(services, "followup") == []
