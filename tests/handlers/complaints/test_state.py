"""The complaint detail's stored state: a complaint waiting to hear what happened, stored
before versions, still takes the answer."""

from handlers.complaints.state import ComplaintDetail
from tests.support.chat import Chat
from tests.support.complaints import complaints, notes
from tests.support.stored_dialogs import before_versions, store_dialog, stored_dialog


async def test_a_detail_awaited_since_before_versions_is_added_to_the_ticket(
    chat: Chat,
) -> None:
    await chat.ask("我要投诉")
    [ticket] = await complaints(chat.services)
    old = before_versions(chat, "complaint_detail", "complaint_ask_detail", ticket=ticket.number)
    await store_dialog(chat, old)
    detail = "面膜用了两天脸就过敏了，红了一大片"
    thanks = await chat.ask(detail)
    assert ticket.number in thanks and "谢谢" in thanks
    assert await notes(chat.services, ticket) == [detail]
    assert (await chat.conversation()).dialog is None


async def test_the_detail_dialog_is_stored_with_its_version(chat: Chat) -> None:
    await chat.ask("我要投诉")
    [ticket] = await complaints(chat.services)
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["version"]) == ("complaint_detail", ComplaintDetail.VERSION)
    assert (dialog["ticket"], dialog["prompt"]) == (ticket.number, "complaint_ask_detail")
