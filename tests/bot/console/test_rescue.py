"""No customer waits on an agent who is gone: admins hand chats back, and an agent's chats
return to the queue when they sign out or their account is deactivated."""

from bot.services import Services
from storage.models import Staff
from tests.support.chat import Chat
from tests.support.console import Console, OpenConsole, taken_over


async def held_by_agent(chat: Chat, agent_console: Console) -> int:
    """A chat the agent took over; its id."""
    path = await taken_over(chat, agent_console)
    assert (await chat.conversation()).staff_id == agent_console.staff.id
    return int(path.rsplit("/", 1)[1])


async def test_an_admin_hands_back_a_chat_an_agent_holds(
    chat: Chat,
    agent_console: Console,
    admin: Staff,
    another_browser: OpenConsole,
) -> None:
    conversation_id = await held_by_agent(chat, agent_console)
    admin_console = await another_browser(admin)
    page = await (await admin_console.get(f"/console/conversations/{conversation_id}")).text()
    assert "交还机器人" in page
    path = f"/console/conversations/{conversation_id}/hand-back"
    assert (await admin_console.post_json(path, {})).status == 200
    assert (await chat.conversation()).mode == "bot"
    assert "发票" in await chat.ask("可以开发票吗")


async def test_an_agent_signing_out_returns_their_chats_to_the_queue(
    chat: Chat, agent_console: Console
) -> None:
    await held_by_agent(chat, agent_console)
    await agent_console.post_form("/console/logout", {})
    conversation = await chat.conversation()
    assert (conversation.mode, conversation.staff_id) == ("queued", None)


async def test_deactivating_an_agent_returns_their_chats_to_the_queue(
    chat: Chat,
    agent_console: Console,
    admin: Staff,
    another_browser: OpenConsole,
    services: Services,
) -> None:
    await held_by_agent(chat, agent_console)
    admin_console = await another_browser(admin)
    path = f"/console/staff/{agent_console.staff.id}/deactivate"
    assert (await admin_console.post_form(path, {}, allow_redirects=False)).status == 303
    conversation = await chat.conversation()
    assert (conversation.mode, conversation.staff_id) == ("queued", None)


async def test_a_new_password_for_an_agent_returns_their_chats_to_the_queue(
    chat: Chat, agent_console: Console, admin: Staff, another_browser: OpenConsole
) -> None:
    await held_by_agent(chat, agent_console)
    admin_console = await another_browser(admin)
    path = f"/console/staff/{agent_console.staff.id}/password"
    form = {"password": "a new password", "password_again": "a new password"}
    assert (await admin_console.post_form(path, form, allow_redirects=False)).status == 303
    conversation = await chat.conversation()
    assert (conversation.mode, conversation.staff_id) == ("queued", None)
