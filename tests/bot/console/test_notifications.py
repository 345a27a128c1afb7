"""The console's 提醒 page: staff notifications of new tickets and deadlines, read or not."""

import re

from aiohttp.test_utils import TestClient

from bot.outreach.reminders import remind_deadlines
from bot.services import Services
from storage.models import Staff
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console, OpenConsole
from tests.support.tickets import complain

READ_BUTTON = re.compile(r'action="/console/notifications/(\d+)/read"')
UP_TO = re.compile(r'name="up_to" value="(\d+)"')


async def page(console: Console) -> str:
    response = await console.get("/console/notifications")
    text = await response.text()
    assert response.status == 200, text
    return text


def rows(html: str) -> list[str]:
    """The table's rows, newest first, as HTML."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


async def remind(services: Services) -> int:
    return await remind_deadlines(services.sessions, services.clock, services.settings)


async def test_deadline_reminders_are_listed_newest_first_with_their_tickets(
    agent_console: Console, chat: Chat, clock: FakeClock, services: Services
) -> None:
    number = await complain(chat)  # 11:00; the first response is due at 13:00
    clock.advance(hours=1, minutes=30)
    assert await remind(services) == 1
    clock.advance(minutes=35)
    assert await remind(services) == 1

    shown = rows(await page(agent_console))
    assert len(shown) == 3
    overdue, due_soon, new = shown
    assert "首次响应已超时（13:00 到期）" in overdue and "13:05" in overdue
    assert "首次响应将于 13:00 到期" in due_soon and "12:30" in due_soon
    assert f"新投诉 {number}" in new and "11:00" in new
    assert "紧急" in overdue and "紧急" not in due_soon
    for row in shown:
        assert f'href="/console/tickets/{number}"' in row
        assert 'class="unread"' in row and "标为已读" in row


async def test_marking_one_read_marks_it_for_everyone(
    agent_console: Console, another_browser: OpenConsole, admin: Staff, chat: Chat
) -> None:
    admin_console = await another_browser(admin)
    await complain(chat)
    await complain(chat.as_user("bob"))
    before = await page(agent_console)
    assert "未读 2 条" in before
    newest = READ_BUTTON.findall(before)[0]

    response = await agent_console.post_form(f"/console/notifications/{newest}/read", {})
    assert response.status == 200  # back on the page

    after = rows(await page(admin_console))
    assert "已读" in after[0] and "标为已读" not in after[0] and "unread" not in after[0]
    assert "标为已读" in after[1]
    assert "未读 1 条" in await page(admin_console)


async def test_all_read_leaves_what_came_after_the_page_unread(
    agent_console: Console, chat: Chat
) -> None:
    await complain(chat)
    await complain(chat.as_user("bob"))
    seen = await page(agent_console)
    up_to = UP_TO.search(seen)
    assert up_to is not None
    await complain(chat.as_user("carol"))  # arrives while the page is open

    response = await agent_console.post_form(
        "/console/notifications/read-all", {"up_to": up_to.group(1)}
    )
    assert response.status == 200

    carol, bob, alice = rows(await page(agent_console))
    assert "标为已读" in carol
    assert "标为已读" not in bob and "标为已读" not in alice
    assert "未读 1 条" in await page(agent_console)


async def test_the_navigation_shows_how_many_are_unread(agent_console: Console, chat: Chat) -> None:
    assert "unread-count" not in await (await agent_console.get("/console/tickets")).text()
    await complain(chat)
    await complain(chat.as_user("bob"))
    tickets = await (await agent_console.get("/console/tickets")).text()
    assert re.search(r'提醒 <span class="badge unread-count"[^>]*>2</span>', tickets)


async def test_the_page_needs_a_signed_in_staff_member(client: TestClient, chat: Chat) -> None:
    await complain(chat)
    response = await client.get("/console/notifications", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/console/login")


async def test_marking_read_without_the_csrf_token_is_refused(
    agent_console: Console, chat: Chat
) -> None:
    await complain(chat)
    shown = await page(agent_console)
    newest = READ_BUTTON.findall(shown)[0]
    up_to = UP_TO.search(shown)
    assert up_to is not None

    one = await agent_console.client.post(f"/console/notifications/{newest}/read", data={})
    every = await agent_console.client.post(
        "/console/notifications/read-all", data={"up_to": up_to.group(1)}
    )
    assert one.status == every.status == 403
    assert "未读 1 条" in await page(agent_console)


async def test_an_empty_list_says_so(agent_console: Console) -> None:
    shown = await page(agent_console)
    assert "还没有提醒" in shown and "全部标为已读" not in shown


async def test_a_guessing_alert_is_listed_without_a_ticket(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    for n in range(services.settings.verify_global_max_failures):
        guesser = chat.as_user(f"guesser-{n}")
        await guesser.ask(f"KF20261120001，尾号{1000 + n}")

    (alert,) = rows(await page(agent_console))
    assert "批量猜订单" in alert and "紧急" in alert and "标为已读" in alert
    assert "/console/tickets/" not in alert
