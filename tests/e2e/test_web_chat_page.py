"""The customer's web chat page in a real headless Chromium, against the real server."""

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Locator, Page, Request, expect


@pytest.fixture
async def page(browser: Browser, client: TestClient) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=str(client.make_url("/")))
    page = await context.new_page()
    await page.goto("/")
    yield page
    await context.close()


async def send(page: Page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


def bot_bubbles(page: Page) -> Locator:
    return page.locator(".row.bot:not(.typing) .bubble")


async def test_customer_types_and_sees_answers(page: Page) -> None:
    await send(page, "你好")
    await expect(bot_bubbles(page).last).to_contain_text("您好")
    await send(page, "我的订单到哪了")
    await expect(bot_bubbles(page).last).to_contain_text("订单号")
    await send(page, "KF20261120001")
    await expect(bot_bubbles(page).last).to_contain_text("手机号")
    await send(page, "8000")
    await expect(bot_bubbles(page).last).to_contain_text("SF1234567890123")
    await expect(page.locator(".row.me .bubble")).to_have_count(4)


async def test_each_reply_is_shown_once(page: Page) -> None:
    await send(page, "可以开发票吗")
    await expect(bot_bubbles(page)).to_have_count(1)
    # The page polls for new messages (and on focus): a poll must not add a second copy.
    async with page.expect_response(lambda r: "/api/chat/messages" in r.url) as polled:
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
    assert (await polled.value).ok
    await expect(bot_bubbles(page)).to_have_count(1)


async def test_the_chat_id_is_random_kept_and_history_survives_a_reload(page: Page) -> None:
    user = await page.evaluate("localStorage.getItem('kefu.user')")
    assert re.fullmatch(r"[0-9a-f]{32}", user)
    await send(page, "可以开发票吗")
    await expect(bot_bubbles(page)).to_have_count(1)
    await page.reload()
    assert await page.evaluate("localStorage.getItem('kefu.user')") == user
    await expect(bot_bubbles(page)).to_have_count(1)
    await expect(page.locator(".row.me .bubble")).to_have_text(["可以开发票吗"])


async def test_the_chat_id_never_goes_in_a_url(page: Page) -> None:
    user = await page.evaluate("localStorage.getItem('kefu.user')")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    await send(page, "可以开发票吗")
    await expect(bot_bubbles(page)).to_have_count(1)
    async with page.expect_response(lambda r: "/api/chat/messages" in r.url) as polled:
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
    assert (await polled.value).ok

    polls = [r for r in requests if "/api/chat/messages" in r.url]
    assert polls, "the page fetched its messages"
    assert all(r.headers.get("x-kefu-user") == user for r in polls)
    assert not [r.url for r in requests if user in r.url]


async def test_message_text_is_shown_as_text_not_markup(page: Page) -> None:
    await send(page, '<img src=x onerror="document.title=1">')
    await expect(bot_bubbles(page)).to_have_count(1)
    await expect(page.locator(".row.me .bubble")).to_have_text(
        '<img src=x onerror="document.title=1">'
    )
    assert await page.locator(".list img").count() == 0
    assert await page.title() == "在线客服"
