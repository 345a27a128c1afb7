"""The staff console in a real browser, against `python -m bot run` as a shop starts it.

One scenario, three people in separate browser contexts (an agent, an admin and a customer
on the web chat page), proves that:

- the agent signs in through the login form, and a customer's request for a person shows up
  live on the agent's dashboard;
- the agent takes the conversation over (or finds it assigned already), replies, and the reply
  reaches the customer's chat page without a reload; while the agent holds the chat, the
  customer's messages reach the agent live and the bot stays silent;
- after 交还机器人 the bot answers the customer again;
- an admin's new FAQ entry answers the very next customer question; agents cannot open or
  post to the FAQ admin pages;
- customer text that looks like markup is shown as text on the conversation page and the
  dashboard, and no page ever opens a JavaScript dialog, throws an uncaught error or has
  anything blocked by the Content-Security-Policy.

A second scenario, on the demo shop, proves that the chat page and the console cannot be
framed by another site; that a right-to-left override in a customer's text shows neither on
the chat page nor in the console; that a ticket names its verified customer (phone masked) and
links to the chat; that the customer's orders fit inside their card beside the chat; that the
FAQ editor shows 20 entries a page, searches, and names categories in Chinese; and that an
agent refused an admin page still has the console's menu.

Screenshots of the console pages are kept in $KEFU_TEST_ARTIFACTS (default
<repo>/artifacts/console) for a person to look at.
"""

import contextlib
import json
import re
from pathlib import Path

from playwright.async_api import (
    Browser,
    Locator,
    Page,
    Request,
    Response,
    expect,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.support.browser import (
    ADMIN,
    ADMIN_PASSWORD,
    AGENT,
    AGENT_PASSWORD,
    WAIT,
    Watched,
    bot_bubbles,
    log_in,
    screenshot,
    send,
)
from tests.support.kefu_process import DEMO_SHOP, add_staff, running_kefu

AROUND_THE_CLOCK = {"KEFU_BUSINESS_HOURS": "00:00-00:00"}  # staff "at work" at any hour
MARKUP = "<script>alert(1)</script>"
MARKUP_WITH_HANDLER = "<img src=x onerror=alert(2)>"  # would run if inserted as HTML
NEW_QUESTION = "你们支持花呗分期付款吗"
NEW_ANSWER = "支持的亲，下单时选择花呗分期即可，3期免息哦～"


def staff_bubbles(page: Page) -> Locator:
    return page.locator(".row.staff .bubble")


def message(page: Page, sender: str, text: str) -> Locator:
    """A message on the console's conversation page; sender: customer, bot or staff."""
    return page.locator(f"#messages li.message.from-{sender} .text").filter(has_text=text)


async def mark(page: Page) -> None:
    """Mark the loaded document: the mark is gone if the page reloads or navigates."""
    await page.evaluate("window.kefuTestMark = true")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.kefuTestMark === true"), f"{page.url} was reloaded"


def is_poll(request: Request) -> bool:
    return "/api/chat/messages" in request.url


async def next_poll(page: Page) -> None:
    """Make the chat page poll /api/chat/messages once more (it polls on focus, as every 3 s)
    and wait for the answer to that new request."""
    async with page.expect_request(is_poll, timeout=WAIT) as sent:
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
    response = await (await sent.value).response()
    assert response is not None and response.ok


async def test_staff_console_serves_a_customer_end_to_end(browser: Browser, tmp_path: Path) -> None:
    await add_staff(tmp_path, AGENT, "agent", AGENT_PASSWORD)
    await add_staff(tmp_path, ADMIN, "admin", ADMIN_PASSWORD)
    watched = Watched()
    async with running_kefu(tmp_path, AROUND_THE_CLOCK) as base, contextlib.AsyncExitStack() as s:
        agents, admins, customers = [
            await s.enter_async_context(await browser.new_context(base_url=base)) for _ in range(3)
        ]

        # 1. The agent signs in through the form and keeps the dashboard open.
        agent = await watched.open(agents)
        await log_in(agent, AGENT, AGENT_PASSWORD)
        await expect(agent.locator("#conversation-lists")).to_contain_text("排队中", timeout=WAIT)
        await mark(agent)

        # 2. A customer on the web chat page asks for a person and is queued.
        customer = await watched.open(customers, "/")
        await send(customer, "转人工")
        await expect(bot_bubbles(customer).last).to_contain_text("转接人工客服", timeout=WAIT)
        await expect(bot_bubbles(customer).last).to_contain_text("第 1 位", timeout=WAIT)
        user = await customer.evaluate("localStorage.getItem('kefu.user')")

        # 3. The conversation appears on the agent's dashboard, live.
        preview = agent.locator(".preview").filter(has_text="转人工")
        row = agent.locator("tr[data-conversation]").filter(has=preview)
        await expect(row).to_have_count(1, timeout=WAIT)
        await assert_not_reloaded(agent)
        conversation_id = await row.get_attribute("data-conversation")
        await screenshot(agent, "dashboard-queue")

        # 4. The agent opens it and takes it over, unless the server assigned it already.
        await row.get_by_role("link").click()
        await expect(agent).to_have_url(
            f"{base}/console/conversations/{conversation_id}", timeout=WAIT
        )
        status = agent.locator("#conversation-status")
        held = status.filter(has_text=f"由 {AGENT} 接入（我）")
        take = status.get_by_role("button", name="接入")
        await expect(held.or_(take)).to_be_visible(timeout=WAIT)
        if await take.is_visible():
            # The assignment job may give it to this agent while the click is on its way.
            with contextlib.suppress(PlaywrightTimeoutError):
                await take.click(timeout=5_000)
        await expect(held).to_be_visible(timeout=WAIT)
        await expect(status).to_contain_text("人工服务中", timeout=WAIT)
        await expect(agent.locator("#reply-form")).to_be_visible(timeout=WAIT)
        await expect(staff_bubbles(customer).last).to_contain_text(f"客服{AGENT}", timeout=WAIT)

        reply = "您好，我是小王，马上帮您查一下～"
        await agent.fill("#reply-text", reply)
        await agent.locator("#reply-form").get_by_role("button", name="发送").click()
        await expect(agent.locator("#reply-text")).to_have_value("", timeout=WAIT)
        await expect(message(agent, "staff", reply)).to_have_count(1, timeout=WAIT)

        # 5. The reply reaches the customer's page without a reload, as a person's message.
        await mark(customer)
        await expect(staff_bubbles(customer).last).to_have_text(reply, timeout=WAIT)
        await assert_not_reloaded(customer)

        # 6. While the agent holds the chat, the customer's message reaches the agent live and
        # the bot says nothing.
        bot_count = await bot_bubbles(customer).count()
        await mark(agent)
        await send(customer, "我的快递到哪了")
        await expect(message(agent, "customer", "我的快递到哪了")).to_have_count(1, timeout=WAIT)
        await assert_not_reloaded(agent)
        await next_poll(customer)
        # The page sends its next poll only after it has shown what the previous one brought.
        await next_poll(customer)
        await expect(bot_bubbles(customer)).to_have_count(bot_count, timeout=WAIT)
        await expect(agent.locator("#messages li.message").last).to_have_class(
            "message from-customer", timeout=WAIT
        )
        answer = await customers.request.get(f"/api/chat/messages?user={user}&after=0")
        sent = json.loads(await answer.text())["messages"]
        assert [m["text"] for m in sent][-1] == reply, "the bot answered a chat a person holds"
        await screenshot(agent, "conversation-held")

        # 7. The agent hands back; the bot answers the customer's next question again.
        await agent.get_by_role("button", name="交还机器人").click()
        await expect(status).to_contain_text("机器人", timeout=WAIT)
        await expect(status.get_by_role("button", name="接入")).to_be_visible(timeout=WAIT)
        await expect(agent.locator("#reply-form")).to_be_hidden(timeout=WAIT)
        await expect(bot_bubbles(customer).last).to_contain_text("人工服务已结束", timeout=WAIT)
        await send(customer, "可以开发票吗")
        await expect(bot_bubbles(customer).last).to_contain_text("电子发票", timeout=WAIT)

        # 8. An admin adds an FAQ entry; the customer's next question gets its answer at once.
        admin = await watched.open(admins)
        await log_in(admin, ADMIN, ADMIN_PASSWORD)
        await admin.goto(f"/console/faq?q={NEW_QUESTION}")
        await expect(admin.locator("main")).to_contain_text(
            f"客户问「{NEW_QUESTION}」时", timeout=WAIT
        )
        await expect(admin.get_by_text("机器人会直接回答")).to_have_count(0, timeout=WAIT)
        await admin.goto("/console/faq/new")
        await admin.fill('input[name="question"]', NEW_QUESTION)
        await admin.fill('textarea[name="answer"]', NEW_ANSWER)
        await admin.get_by_role("button", name="保存").click()
        await expect(admin.locator(".notice")).to_contain_text("已新建条目", timeout=WAIT)
        await expect(admin.locator(".faq-list")).to_contain_text(NEW_ANSWER, timeout=WAIT)
        await send(customer, NEW_QUESTION)
        await expect(bot_bubbles(customer).last).to_have_text(NEW_ANSWER, timeout=WAIT)
        await admin.goto(f"/console/faq?q={NEW_QUESTION}")
        await expect(admin.locator("main")).to_contain_text("机器人会直接回答", timeout=WAIT)
        await screenshot(admin, "faq")

        # 9. Agents cannot open the FAQ admin pages, nor post to them.
        tab = await watched.open(agents)
        await expect(agent.locator("header.top nav")).not_to_contain_text("知识库", timeout=WAIT)
        for path in ("/console/faq", "/console/faq/new", f"/console/faq?q={NEW_QUESTION}"):
            response = await tab.goto(path)
            assert response is not None and response.status == 403, path
            await expect(tab.locator("body")).to_contain_text("只有管理员", timeout=WAIT)
            await expect(tab.locator("header.top nav")).to_contain_text("工单", timeout=WAIT)
            await expect(tab.locator("body")).not_to_contain_text(NEW_ANSWER, timeout=WAIT)
            await expect(tab.locator(".faq-list, .faq-form")).to_have_count(0, timeout=WAIT)
        token = await agent.locator('meta[name="csrf-token"]').get_attribute("content")
        posted = await agents.request.post(
            "/console/faq/new",
            form={"csrf_token": token or "", "question": "代理商能改知识库吗", "answer": "不能"},
            max_redirects=0,
        )
        assert posted.status == 403 and "只有管理员" in await posted.text()

        # 10. Customer text that looks like markup is shown as text, live, on the
        # conversation page and on the dashboard; no dialog opens anywhere.
        await tab.goto("/console/")
        dashboard = tab
        preview = dashboard.locator(f'tr[data-conversation="{conversation_id}"] .preview')
        await expect(preview).to_have_text(NEW_QUESTION, timeout=WAIT)
        await mark(agent)
        await mark(dashboard)
        for text in (MARKUP, MARKUP_WITH_HANDLER):
            await send(customer, text)
            await expect(message(agent, "customer", text)).to_have_text(text, timeout=WAIT)
            await expect(preview).to_have_text(text, timeout=WAIT)
            await expect(customer.locator(".row.me .bubble").last).to_have_text(text, timeout=WAIT)
        await assert_not_reloaded(agent)
        await assert_not_reloaded(dashboard)
        for page in (agent, dashboard, customer):
            await expect(page.locator("main script, main img")).to_have_count(0, timeout=WAIT)

        # 11. The other console pages, for the record.
        await screenshot(dashboard, "dashboard")
        await screenshot(agent, "conversation")
        for path, heading, name in (
            ("/console/tickets", "工单", "tickets"),
            ("/console/reports", "报表", "reports"),
        ):
            response = await admin.goto(path)
            assert response is not None and response.ok, path
            await expect(admin.locator("h1")).to_have_text(heading, timeout=WAIT)
            await screenshot(admin, name)

        assert watched.dialogs == [], "a JavaScript dialog opened"
        assert watched.errors == [], "a page threw an uncaught error"
        assert watched.blocked == [], "the Content-Security-Policy blocked part of a page"


BIDI_TEXT = "订单\u202eKF20261120001\u202c到哪了\u200b"  # shown backwards if the override stays
BIDI_SHOWN = "订单KF20261120001到哪了"


def assert_page_headers(response: Response | None) -> None:
    """The response forbids framing and runs only this server's scripts and styles."""
    assert response is not None and response.ok
    assert response.headers.get("x-frame-options") == "DENY", response.url
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, response.url


async def test_console_pages_are_safe_and_readable_in_the_browser(
    browser: Browser, tmp_path: Path
) -> None:
    await add_staff(tmp_path, AGENT, "agent", AGENT_PASSWORD)
    await add_staff(tmp_path, ADMIN, "admin", ADMIN_PASSWORD)
    watched = Watched()
    environment = {**AROUND_THE_CLOCK, **DEMO_SHOP}
    async with running_kefu(tmp_path, environment) as base, contextlib.AsyncExitStack() as s:
        agents, admins, customers, elsewhere = [
            await s.enter_async_context(await browser.new_context(base_url=base)) for _ in range(4)
        ]

        # 1. The chat page and the console refuse to be framed, and Chromium obeys.
        customer = await watched.open(customers)
        assert_page_headers(await customer.goto("/"))
        outsider = await elsewhere.new_page()
        await outsider.set_content(f'<iframe src="{base}/console/login"></iframe>')
        framed = outsider.frames[-1]
        assert framed is not outsider.main_frame
        assert await framed.locator('input[name="password"]').count() == 0, framed.url

        # 2. A customer complains, then verifies the chat as 张三's, then sends text with a
        # right-to-left override in it.
        await send(customer, "快递太慢了，我要投诉")
        opened = bot_bubbles(customer).filter(has_text=re.compile(r"CP\d{8}-\d{4}"))
        await expect(opened).to_have_count(1, timeout=WAIT)
        found = re.search(r"CP\d{8}-\d{4}", await opened.inner_text())
        assert found is not None
        number = found.group()
        await send(customer, "KF20261120001")
        await expect(bot_bubbles(customer).last).to_contain_text("手机号", timeout=WAIT)
        await send(customer, "8000")
        await expect(bot_bubbles(customer).last).to_contain_text("SF1234567890123", timeout=WAIT)
        await send(customer, BIDI_TEXT)
        own = customer.locator(".row.me .bubble").filter(has_text=BIDI_SHOWN)
        await expect(own).to_have_count(1, timeout=WAIT)  # his own echo, shown in order

        # 3. The admin's ticket list names the customer (phone masked) and links to the chat.
        admin = await watched.open(admins)
        await log_in(admin, ADMIN, ADMIN_PASSWORD)
        assert_page_headers(await admin.goto("/console/tickets"))
        row = admin.locator("table.tickets tbody tr").filter(has_text=number)
        await expect(row).to_contain_text("张三", timeout=WAIT)
        await expect(row).to_contain_text("138****8000", timeout=WAIT)
        await expect(row).not_to_contain_text("13800138000", timeout=WAIT)
        await screenshot(admin, "tickets-with-customers")
        await row.locator("a.ticket-chat").click()
        await expect(admin).to_have_url(re.compile(r"/console/conversations/\d+$"), timeout=WAIT)
        await expect(admin.locator("h1")).to_contain_text("张三", timeout=WAIT)

        # 4. There the override is gone: the order number reads as sent; the customer's orders
        # fit inside their card beside the chat.
        shown = message(admin, "customer", BIDI_SHOWN)
        await expect(shown).to_have_count(1, timeout=WAIT)
        assert "\u202e" not in await shown.text_content()
        orders = admin.locator("#customer-orders")
        await expect(orders).to_contain_text("KF20261120001", timeout=WAIT)
        overflow = await orders.evaluate(
            "table => table.getBoundingClientRect().right"
            " - table.closest('.card').getBoundingClientRect().right"
        )
        assert overflow <= 0.5, f"the order table sticks out of its card by {overflow}px"
        await screenshot(admin, "conversation-orders")

        # 5. The FAQ editor: 20 entries a page, pages to turn, a search, Chinese categories.
        await admin.goto("/console/faq")
        entries = admin.locator(".faq-list tbody tr")
        await expect(entries).to_have_count(20, timeout=WAIT)
        await expect(admin.locator(".pager")).to_contain_text(re.compile(r"第 1 / \d+ 页"))
        first = await entries.first.inner_text()
        await admin.locator(".pager").get_by_role("link", name="下一页").click()
        await expect(admin).to_have_url(re.compile(r"page=2$"), timeout=WAIT)
        await expect(admin.locator(".pager")).to_contain_text("第 2 /", timeout=WAIT)
        await expect(entries).to_have_count(20, timeout=WAIT)
        assert await entries.first.inner_text() != first
        english = admin.locator(".faq-category").filter(has_text=re.compile(r"^[a-z]+$"))
        await expect(english).to_have_count(0, timeout=WAIT)
        await admin.fill('input[name="q"]', "发票")
        await admin.get_by_role("button", name="搜索").click()
        await expect(admin.locator("main h2").last).to_contain_text("包含「发票」", timeout=WAIT)
        await expect(admin.locator(".faq-category").filter(has_text="发票").first).to_be_visible()
        assert 0 < await entries.count() < 20
        await expect(admin.locator(".pager")).to_have_count(0, timeout=WAIT)
        await screenshot(admin, "faq-search")

        # 6. An agent opening an admin page gets the console, its menu and a clear refusal.
        agent = await watched.open(agents)
        await log_in(agent, AGENT, AGENT_PASSWORD)
        for path in ("/console/staff", "/console/canned"):
            response = await agent.goto(path)
            assert response is not None and response.status == 403, path
            await expect(agent.locator("header.top nav")).to_contain_text("会话", timeout=WAIT)
            await expect(agent.locator("header.top nav")).not_to_contain_text("员工")
            await expect(agent.locator("main")).to_contain_text("只有管理员", timeout=WAIT)
        await screenshot(agent, "admin-only")

        assert watched.dialogs == [], "a JavaScript dialog opened"
        assert watched.errors == [], "a page threw an uncaught error"
        assert watched.blocked == [], "the Content-Security-Policy blocked part of a page"
