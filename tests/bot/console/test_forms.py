"""What staff type reaches the database as plain text."""

from multidict import MultiDict

from bot.console.forms import form_text
from tests.support.chat import Chat
from tests.support.console import Console, taken_over


def test_control_characters_are_dropped_and_line_breaks_kept() -> None:
    form = MultiDict({"note": "第一行\r\n第二\x00行\x07\t完"})
    assert form_text(form, "note") == "第一行\n第二行\t完"


def test_a_field_that_is_not_text_reads_as_empty() -> None:
    assert form_text({"text": ["a"]}, "text") == ""
    assert form_text({"text": 5}, "text") == ""
    assert form_text({}, "text") == ""


async def test_a_scripted_reply_that_is_not_text_is_refused(
    chat: Chat, agent_console: Console
) -> None:
    path = await taken_over(chat, agent_console)
    response = await agent_console.post_json(f"{path}/reply", {"text": ["a"]})
    assert response.status == 400
