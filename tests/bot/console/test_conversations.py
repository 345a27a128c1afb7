"""The console's conversations: the lists, one conversation, take over, reply, hand back."""

import re

import pytest
from aiohttp.test_utils import TestClient

from bot.desk.staff_accounts import create_staff
from bot.outreach.outbox import MAX_ATTEMPTS, deliver_outbox
from bot.services import Services
from core.messages import Incoming
from storage.repositories import Repositories
from tests.support.channels.recording import RecordingSender
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD, Console, OpenConsole, taken_over
from tests.support.conversations import conversation_of
from tests.support.web_chat import customer_messages

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


async def page_text(console: Console, path: str, status: int = 200) -> str:
    response = await console.get(path)
    assert response.status == status, await response.text()
    return await response.text()


def section(page: str, title: str) -> str:
    """The HTML of one list on the conversations page, from its heading to the next one."""
    start = page.index(title)
    following = page.find("<section", start)
    return page[start : following if following != -1 else len(page)]


async def deliver(services: Services, clock: FakeClock) -> int:
    return await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)


@pytest.fixture
async def colleague_console(services: Services, another_browser: OpenConsole) -> Console:
    """A second agent in a browser of their own."""
    staff = await create_staff(services.sessions, services.clock, "li", "agent", PASSWORD, "小李")
    return await another_browser(staff)


async def test_anonymous_visitors_are_refused(client: TestClient, chat: Chat) -> None:
    await chat.ask("你好")
    conversation = await conversation_of(chat.services, "alice")
    for path in ("/console/", f"/console/conversations/{conversation.id}", "/console/canned"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302
        assert response.headers["Location"].startswith("/console/login")
    for path in (
        "/console/api/conversations",
        f"/console/api/conversations/{conversation.id}/messages",
        "/console/api/events",
    ):
        assert (await client.get(path)).status == 401
    for action in ("take", "reply", "hand-back"):
        response = await client.post(
            f"/console/conversations/{conversation.id}/{action}",
            data={"text": "hi"},
            allow_redirects=False,
        )
        assert response.status == 302
    assert (await conversation_of(chat.services, "alice")).mode == "bot"


async def test_queued_conversations_are_listed_in_order_with_their_place(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("转人工")
    clock.advance(minutes=4)
    await chat.as_user("bob").ask("人工客服")
    clock.advance(minutes=1)

    queued = section(await page_text(agent_console, "/console/"), "排队中")

    assert queued.index("alice") < queued.index("bob")
    assert "第 1 位" in queued and "第 2 位" in queued
    assert "5 分钟" in queued and "1 分钟" in queued
    assert "客户要求" in queued
    assert "转人工" in queued and "人工客服" in queued
    assert queued.count(">接入</button>") == 2


async def test_taking_over_silences_the_bot_and_the_customer_shows_in_the_console(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("转人工")
    conversation = await conversation_of(services, "alice")

    response = await agent_console.post_form(
        f"/console/conversations/{conversation.id}/take", {}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/console/conversations/{conversation.id}"
    taken = await conversation_of(services, "alice")
    assert (taken.mode, taken.staff_id) == ("human", agent_console.staff.id)

    assert await chat.ask("你好，还在吗") == ""
    page = await page_text(agent_console, f"/console/conversations/{conversation.id}")
    assert "你好，还在吗" in page
    assert "人工服务中" in page and "由 小王 接入" in page
    assert "交还机器人" in page
    mine = section(await page_text(agent_console, "/console/"), "我的会话")
    assert "alice" in mine and "你好，还在吗" in mine


async def test_a_reply_reaches_the_customer_once_the_outbox_delivers_it(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock, client: TestClient
) -> None:
    path = await taken_over(chat, agent_console)

    response = await agent_console.post_form(
        f"{path}/reply", {"text": "您好，我来帮您查一下"}, allow_redirects=False
    )
    assert response.status == 303
    page = await page_text(agent_console, path)
    assert "您好，我来帮您查一下" in page and "发送中" in page

    assert await deliver(services, clock) >= 1
    assert ("staff", "您好，我来帮您查一下") in await customer_messages(client, "alice")
    page = await page_text(agent_console, path)
    assert "发送中" not in page
    assert "客服 小王" in page


async def test_a_reply_that_cannot_be_delivered_shows_why(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    path = await taken_over(chat, agent_console)
    await agent_console.post_form(f"{path}/reply", {"text": "这条发不出去"})
    down = {"web": RecordingSender(failures=100)}

    await deliver_outbox(services.sessions, down, clock)
    page = await page_text(agent_console, path)
    assert "发送中" in page and "上次没发出，稍后重试" in page and "service is down" in page

    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=3)
        await deliver_outbox(services.sessions, down, clock)
    page = await page_text(agent_console, path)
    assert "发送失败" in page and "没能发出" in page and "service is down" in page


async def test_a_script_reply_gets_json_and_no_redirect(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    path = await taken_over(chat, agent_console)

    response = await agent_console.post_json(f"{path}/reply", {"text": "马上为您处理"})
    assert response.status == 200
    assert await response.json() == {"ok": True}
    empty = await agent_console.post_json(f"{path}/reply", {"text": "   "})
    assert empty.status == 400
    assert (await empty.json())["error"] == "请输入回复内容"


async def test_a_canned_reply_picked_without_script_is_sent(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    async with services.sessions() as session, session.begin():
        canned = await Repositories.for_session(session).canned.save(
            None, "问候", "您好，很高兴为您服务", clock.now()
        )
        assert canned is not None
    path = await taken_over(chat, agent_console)

    page = await page_text(agent_console, path)
    assert 'data-text="您好，很高兴为您服务"' in page
    await agent_console.post_form(f"{path}/reply", {"text": "", "canned_id": str(canned.id)})
    assert "您好，很高兴为您服务" in await page_text(agent_console, path)


async def test_handing_back_lets_the_bot_answer_again(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    path = await taken_over(chat, agent_console)
    assert await chat.ask("在吗") == ""

    response = await agent_console.post_form(f"{path}/hand-back", {}, allow_redirects=False)
    assert response.status == 303
    returned = await conversation_of(services, "alice")
    assert (returned.mode, returned.staff_id) == ("bot", None)
    assert await chat.ask("你好") != ""


async def test_every_action_is_in_the_audit_log(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("转人工")
    conversation = await conversation_of(services, "alice")
    path = f"/console/conversations/{conversation.id}"
    await agent_console.post_form(f"{path}/take", {})
    await agent_console.post_form(f"{path}/reply", {"text": "好的"})
    await agent_console.post_form(f"{path}/hand-back", {})

    async with services.sessions() as session:
        entries = await Repositories.for_session(session).audit.recent()
    mine = [(e.action, e.subject) for e in entries if e.staff_id == agent_console.staff.id]
    subject = f"会话 {conversation.id}"
    for action in ("conversation_take", "conversation_reply", "conversation_hand_back"):
        assert (action, subject) in mine


async def test_another_agent_cannot_reply_take_or_hand_back_a_conversation_i_hold(
    agent_console: Console, colleague_console: Console, chat: Chat, services: Services
) -> None:
    path = await taken_over(chat, agent_console)

    form_reply = await colleague_console.post_form(f"{path}/reply", {"text": "我来回答"})
    assert form_reply.status == 403
    assert "只有接入该会话的客服可以回复" in await form_reply.text()
    script_reply = await colleague_console.post_json(f"{path}/reply", {"text": "我来回答"})
    assert script_reply.status == 403
    assert (await script_reply.json())["ok"] is False
    take = await colleague_console.post_form(f"{path}/take", {})
    assert take.status == 409
    assert "该会话已由其他客服接入" in await take.text()
    assert (await colleague_console.post_form(f"{path}/hand-back", {})).status == 403

    held = await conversation_of(services, "alice")
    assert held.staff_id == agent_console.staff.id
    others = section(await page_text(colleague_console, "/console/"), "其他客服的会话")
    assert "alice" in others and "小王" in others
    assert "接入</button>" not in others
    page = await page_text(colleague_console, path)
    assert re.search(r'<form[^>]*id="reply-form"[^>]*\shidden>', page)


async def test_recent_bot_conversations_can_be_taken_over(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    await chat.as_user("old").ask("你好")
    clock.advance(hours=25)
    await chat.ask("你们几点发货")
    clock.advance(minutes=1)
    await chat.as_user("carol").ask("有优惠吗")

    recent = section(await page_text(agent_console, "/console/"), "最近的机器人会话")
    assert recent.index("carol") < recent.index("alice")
    assert "old" not in recent
    conversation = await conversation_of(services, "carol")
    await agent_console.post_form(f"/console/conversations/{conversation.id}/take", {})
    taken = await conversation_of(services, "carol")
    assert (taken.mode, taken.staff_id) == ("human", agent_console.staff.id)


async def test_customer_text_is_escaped_everywhere(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask(SCRIPT)
    conversation = await conversation_of(services, "alice")
    pages = [
        await page_text(agent_console, "/console/"),
        await page_text(agent_console, "/console/api/conversations"),
        await page_text(agent_console, f"/console/conversations/{conversation.id}"),
    ]
    response = await agent_console.get(f"/console/api/conversations/{conversation.id}/messages")
    pages.append((await response.json())["messages_html"])
    for html in pages:
        assert SCRIPT not in html
        assert ESCAPED in html


async def test_only_http_media_become_links(
    agent_console: Console, services: Services, clock: FakeClock
) -> None:
    media = ("https://img.example.com/a.jpg", "javascript:alert(1)", "wx-media-42")
    await services.assistant.handle(Incoming("web", "alice", "看图", clock.now(), None, media))
    conversation = await conversation_of(services, "alice")

    page = await page_text(agent_console, f"/console/conversations/{conversation.id}")

    assert '<a href="https://img.example.com/a.jpg"' in page
    assert 'href="javascript' not in page
    assert "javascript:alert(1)" in page and "wx-media-42" in page


async def test_a_verified_customer_shows_their_name_orders_and_tickets(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    await chat.ask("你好")
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        order = await repos.orders.by_number("KF20261120001")
        identity = await repos.identities.find("web", "alice")
        assert order is not None and identity is not None
        await repos.identities.bind(identity, order.customer_id)
    conversation = await conversation_of(services, "alice")

    page = await page_text(agent_console, f"/console/conversations/{conversation.id}")

    assert "网页 · alice（张三）" in page
    assert "KF20261120001" in page and "已发货" in page and "SF1234567890123" in page
    assert "/console/tickets/" not in page
    assert "网页 · alice（张三）" in await page_text(agent_console, "/console/")


async def test_a_severe_complaint_is_queued_with_its_ticket_beside_it(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("我要投诉，你们是骗子，我要打12315")
    conversation = await conversation_of(services, "alice")

    queued = section(await page_text(agent_console, "/console/"), "排队中")
    page = await page_text(agent_console, f"/console/conversations/{conversation.id}")

    assert "alice" in queued and "投诉" in queued
    assert '<a href="/console/tickets/CP20261129-0001">CP20261129-0001</a>' in page
    assert "排队第 1 位" in page and "待处理" in page


async def test_the_messages_fragment_has_only_what_is_new(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("第一句")
    conversation = await conversation_of(services, "alice")
    path = f"/console/api/conversations/{conversation.id}/messages"
    first = await (await agent_console.get(path)).json()
    await chat.ask("第二句")

    second = await (
        await agent_console.get(path, params={"after": first["last_message_id"]})
    ).json()

    assert "第一句" in first["messages_html"] and "第二句" not in first["messages_html"]
    assert "第二句" in second["messages_html"] and "第一句" not in second["messages_html"]
    assert second["last_message_id"] > first["last_message_id"]
    assert second["can_reply"] is False
    assert (await agent_console.get(path, params={"after": "x"})).status == 400


async def test_an_unknown_conversation_is_not_found(agent_console: Console) -> None:
    response = await agent_console.get("/console/conversations/999")
    assert response.status == 404
    assert "会话不存在" in await response.text()
    assert (await agent_console.get("/console/api/conversations/999/messages")).status == 404
    assert (await agent_console.post_form("/console/conversations/999/take", {})).status == 404


async def test_a_post_without_the_csrf_token_is_refused(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("转人工")
    conversation = await conversation_of(services, "alice")

    response = await agent_console.client.post(
        f"/console/conversations/{conversation.id}/take", data={}
    )

    assert response.status == 403
    assert (await conversation_of(services, "alice")).mode == "queued"


async def test_the_page_loads_the_live_script_and_carries_the_last_message_id(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    await chat.ask("你好")
    conversation = await conversation_of(services, "alice")
    page = await page_text(agent_console, f"/console/conversations/{conversation.id}")
    last = re.search(r'data-last-message="(\d+)"', page)
    assert last is not None and int(last.group(1)) > 0
    assert "/console/static/conversations.js" in page
    assert (await agent_console.get("/console/static/conversations.js")).status == 200
