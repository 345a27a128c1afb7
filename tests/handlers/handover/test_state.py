"""The handover offer's stored state: an offer stored before versions is still answered, and
the dialog it interrupted carries on."""

from handlers.handover.state import HandoverOffer
from knowledge import ReplyTexts
from tests.support.chat import Chat
from tests.support.stored_dialogs import (
    asking_before_versions,
    before_versions,
    store_dialog,
    stored_dialog,
)

TEXTS = ReplyTexts.from_file()


def stored_before_versions(chat: Chat) -> dict[str, object]:
    """An offer that interrupted a question for an order number, as stored before versions."""
    asking = asking_before_versions(chat, misses=0)
    return before_versions(chat, "handover_offer", soft=True, resume=asking, question="嗯……我找找")


async def test_no_to_an_offer_stored_before_versions_carries_on_with_the_question(
    chat: Chat,
) -> None:
    await chat.ask("你好")
    await store_dialog(chat, stored_before_versions(chat))
    assert await chat.ask("不用了") == "\n".join(
        [TEXTS.render("offer_person_declined_resume"), TEXTS.render("ask_order_number")]
    )
    assert (await stored_dialog(chat))["flow"] == "ask_order"
    assert "手机号" in await chat.ask("KF20261115002")


async def test_yes_to_an_offer_stored_before_versions_queues_the_chat(chat: Chat) -> None:
    await chat.ask("你好")
    await store_dialog(chat, stored_before_versions(chat))
    await chat.ask("好的")
    assert (await chat.conversation()).mode == "queued"


async def test_the_offer_is_stored_with_its_version(chat: Chat) -> None:
    await chat.ask("明天会下雨吗")
    await chat.ask("给我讲个笑话")
    offer = await stored_dialog(chat)
    assert (offer["flow"], offer["version"]) == ("handover_offer", HandoverOffer.VERSION)
    assert (offer["question"], offer["resume"]) == ("给我讲个笑话", None)
