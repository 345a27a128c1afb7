"""The survey comment's stored state: a visit waiting for its comment, stored before
versions, still takes it."""

from typing import Any

from bot.services import Services
from handlers.survey.state import SurveyComment
from tests.support.chat import Chat
from tests.support.stored_dialogs import before_versions, store_dialog, stored_dialog
from tests.support.survey import TEXTS, stored_visit, tickets_of, visit_sent


async def comment_before_versions(services: Services, chat: Chat, **more: Any) -> dict[str, Any]:
    """The comment dialog on the visit sent, as the bot stored it before versions."""
    visit = await stored_visit(services)
    return before_versions(
        chat, "survey_comment", soft=True, resume=None, followup_id=visit.id, **more
    )


async def test_a_comment_awaited_since_before_versions_is_stored(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("非常满意")
    await store_dialog(chat, await comment_before_versions(services, chat))
    assert await chat.ask("发货很快，包装也很用心👍") == TEXTS.render("survey_comment_thanks")
    assert (await stored_visit(services)).comment == "发货很快，包装也很用心👍"


async def test_nothing_to_add_to_a_low_rating_stored_before_versions_apologises(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("很差")
    [ticket] = await tickets_of(services, "followup")
    await store_dialog(chat, await comment_before_versions(services, chat, ticket=ticket.number))
    assert await chat.ask("没有了") == TEXTS.render("survey_no_comment_low")


async def test_the_comment_dialog_is_stored_with_its_version(
    services: Services, chat: Chat
) -> None:
    await visit_sent(services, chat)
    await chat.ask("我要退货")  # the after-sales dialog asks which order
    await chat.ask("很满意")
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["version"]) == ("survey_comment", SurveyComment.VERSION)
    assert dialog["followup_id"] == (await stored_visit(services)).id
    assert dialog["ticket"] is None and dialog["resume"]["flow"] == "aftersales"
