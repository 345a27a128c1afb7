"""The customer's profile beside a conversation in the console: shown for a chat verified as a
customer, nothing about any customer for a chat that is not, and only to signed-in staff."""

from aiohttp.test_utils import TestClient

from bot.services import Services
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console
from tests.support.followups import FollowUpDesk


async def verified(chat: Chat) -> Chat:
    """The chat, verified as 张三 (two orders bought, 415 yuan) by his phone's last digits."""
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")
    return chat


async def page_of(console: Console, chat: Chat) -> str:
    response = await console.get(f"/console/conversations/{(await chat.conversation()).id}")
    assert response.status == 200
    return await response.text()


def profile_card(page: str) -> str:
    start = page.index('id="customer-profile"')
    return page[start : page.index("</section>", start)]


async def test_a_verified_chat_shows_its_customers_profile(
    agent_console: Console, chat: Chat, clock: FakeClock, followups: FollowUpDesk
) -> None:
    await verified(chat)
    await followups.schedule(chat, "order:visit")
    assert (await followups.send()).sent == 1
    await chat.ask("4")
    clock.advance(days=1)
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了也没人管")
    phone = await verified(chat.as_user("alice-phone"))

    card = profile_card(await page_of(agent_console, chat))

    assert '<span class="badge group-repeat">回头客</span>' in card
    assert "张三" in card and "138****8000" in card
    assert "2 笔（已购 2 笔）" in card
    assert "<dt>近 12 个月消费</dt><dd>¥415.00</dd>" in card
    assert "<dt>未结工单</dt><dd>1</dd>" in card
    assert "4.0 分（1 次评价）" in card
    assert "<dt>首次接触</dt><dd>2026-11-20 09:00</dd>" in card
    assert "<dt>最近联系</dt><dd>2026-11-30 11:00</dd>" in card
    other = f'<a href="/console/conversations/{(await phone.conversation()).id}">'
    assert f"{other}网页 · alice-phone</a>" in card
    assert "网页 · alice<" not in card  # the chat on screen is not "another" chat
    assert "13800138000" not in card


async def test_the_live_refresh_keeps_the_profile_beside_the_chat(
    agent_console: Console, chat: Chat
) -> None:
    await verified(chat)
    conversation = await chat.conversation()
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了也没人管")

    refreshed = await agent_console.get(f"/console/api/conversations/{conversation.id}/messages")

    side = (await refreshed.json())["side_html"]
    assert "<dt>未结工单</dt><dd>1</dd>" in profile_card(side)
    assert "未关联客户" not in side


async def test_an_unverified_chat_says_it_is_not_linked_and_shows_no_customer(
    agent_console: Console, chat: Chat
) -> None:
    await verified(chat.as_user("zhang"))  # 张三 has a chat, but not this one
    await chat.ask("KF20261120001")  # asked for the digits, not given them yet

    page = await page_of(agent_console, chat)

    assert "未关联客户" in page
    assert 'id="customer-profile"' not in page and "<h2>客户档案" not in page
    assert "张三" not in page and "8000" not in page and "zhang" not in page


async def test_the_profile_needs_a_signed_in_staff_member(
    client: TestClient, chat: Chat, services: Services
) -> None:
    await verified(chat)
    conversation = await chat.conversation()

    page = await client.get(f"/console/conversations/{conversation.id}", allow_redirects=False)
    fragment = await client.get(
        f"/console/api/conversations/{conversation.id}/messages", allow_redirects=False
    )

    assert page.status == 302 and page.headers["Location"].startswith("/console/login")
    assert fragment.status == 401
    for response in (page, fragment):
        assert "张三" not in await response.text()
