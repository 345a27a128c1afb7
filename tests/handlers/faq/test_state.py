"""The FAQ pick's stored state: an offer stored before versions is still picked from."""

from handlers.faq.state import FaqPick
from tests.support.chat import Chat
from tests.support.stored_dialogs import before_versions, store_dialog, stored_dialog


async def test_an_offer_stored_before_versions_is_picked_from(chat: Chat) -> None:
    offer = await chat.ask("快递")
    second = offer.splitlines()[2]
    ids = FaqPick.from_stored(await stored_dialog(chat)).ids
    await store_dialog(chat, before_versions(chat, "faq_pick", ids=ids, soft=True))
    entry = chat.services.assistant.kb.search(second[3:], limit=1)[0].entry
    assert await chat.ask("2") == entry.answer
    assert (await chat.conversation()).dialog is None


async def test_the_offer_is_stored_with_its_version(chat: Chat) -> None:
    await chat.ask("快递")
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["version"], dialog["soft"]) == (
        "faq_pick",
        FaqPick.VERSION,
        True,
    )
    assert len(dialog["ids"]) > 1
