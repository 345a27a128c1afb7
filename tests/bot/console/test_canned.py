"""Canned replies: admins add, change and delete them; agents may only use them."""

import re
from dataclasses import replace

from aiohttp.test_utils import TestClient

from bot.app import start_services
from bot.services import Services
from core.settings import Settings
from knowledge.canned_examples import load_canned_examples
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console, taken_over


async def canned(services: Services) -> list[tuple[str, str]]:
    async with services.sessions() as session:
        replies = await Repositories.for_session(session).canned.all()
    return [(reply.title, reply.text) for reply in replies]


async def added(services: Services, before: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The canned replies there are now and were not `before` (the demo shop's examples)."""
    return [reply for reply in await canned(services) if reply not in before]


async def add(console: Console, title: str, text: str) -> int:
    """Add a reply through the form; its id."""
    response = await console.post_form(
        "/console/canned", {"title": title, "text": text}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    page = await (await console.get("/console/canned")).text()
    found = re.findall(r'href="/console/canned/(\d+)"', page)
    assert found
    return max(int(reply_id) for reply_id in found)


async def test_an_admin_adds_changes_and_deletes_a_canned_reply(
    admin_console: Console, services: Services
) -> None:
    examples = await canned(services)
    reply_id = await add(admin_console, "发货时间", "一般 48 小时内发货哦")
    assert await added(services, examples) == [("发货时间", "一般 48 小时内发货哦")]
    listing = await (await admin_console.get("/console/canned?done=added")).text()
    assert "快捷回复已添加" in listing and "一般 48 小时内发货哦" in listing

    form = await (await admin_console.get(f"/console/canned/{reply_id}")).text()
    assert 'value="发货时间"' in form
    response = await admin_console.post_form(
        f"/console/canned/{reply_id}",
        {"title": "发货时间", "text": "付款后 24 小时内发货"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert await added(services, examples) == [("发货时间", "付款后 24 小时内发货")]

    response = await admin_console.post_form(
        f"/console/canned/{reply_id}/delete", {}, allow_redirects=False
    )
    assert response.status == 303
    assert await canned(services) == examples
    assert (await admin_console.get(f"/console/canned/{reply_id}")).status == 404

    async with services.sessions() as session:
        entries = await Repositories.for_session(session).audit.recent()
    actions = [e.action for e in entries if e.staff_id == admin_console.staff.id]
    assert {"canned_add", "canned_edit", "canned_delete"} <= set(actions)


async def test_missing_and_too_long_fields_are_explained(
    admin_console: Console, services: Services
) -> None:
    examples = await canned(services)
    response = await admin_console.post_form("/console/canned", {"title": " ", "text": ""})
    assert response.status == 400
    page = await response.text()
    assert "请填写标题" in page and "请填写回复内容" in page

    response = await admin_console.post_form(
        "/console/canned", {"title": "长" * 101, "text": "字" * 2001}
    )
    page = await response.text()
    assert response.status == 400
    assert "标题不能超过 100 个字" in page and "回复内容不能超过 2000 个字" in page
    assert "长" * 101 in page  # what was typed is kept for correcting

    reply_id = await add(admin_console, "问候", "您好")
    response = await admin_console.post_form(
        f"/console/canned/{reply_id}", {"title": "问候", "text": ""}
    )
    assert response.status == 400
    assert "请填写回复内容" in await response.text()
    assert await added(services, examples) == [("问候", "您好")]


async def test_canned_text_is_escaped(admin_console: Console) -> None:
    await add(admin_console, "<b>粗体</b>", "<script>alert(1)</script>")
    page = await (await admin_console.get("/console/canned")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;粗体" in page


async def test_agents_may_not_manage_canned_replies(
    agent_console: Console, services: Services
) -> None:
    examples = await canned(services)
    async with services.sessions() as session, session.begin():
        reply = await Repositories.for_session(session).canned.save(
            None, "问候", "您好", services.clock.now()
        )
        assert reply is not None

    assert (await agent_console.get("/console/canned")).status == 403
    assert (await agent_console.get(f"/console/canned/{reply.id}")).status == 403
    add_response = await agent_console.post_form("/console/canned", {"title": "x", "text": "y"})
    assert add_response.status == 403
    edit = await agent_console.post_form(f"/console/canned/{reply.id}", {"title": "x", "text": "y"})
    assert edit.status == 403
    assert (await agent_console.post_form(f"/console/canned/{reply.id}/delete", {})).status == 403
    assert await added(services, examples) == [("问候", "您好")]
    assert "快捷回复" not in await (await agent_console.get("/console/")).text()


async def test_a_canned_post_without_the_csrf_token_is_refused(
    admin_console: Console, services: Services
) -> None:
    examples = await canned(services)
    response = await admin_console.client.post(
        "/console/canned", data={"title": "问候", "text": "您好"}
    )
    assert response.status == 403
    assert await canned(services) == examples


async def test_anonymous_visitors_cannot_post_canned_replies(
    client: TestClient, services: Services
) -> None:
    examples = await canned(services)
    response = await client.post(
        "/console/canned", data={"title": "问候", "text": "您好"}, allow_redirects=False
    )
    assert response.status == 302
    assert await canned(services) == examples


async def test_the_demo_shop_comes_with_example_replies_to_pick_in_a_chat(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    examples = load_canned_examples()
    assert len(examples) >= 5
    assert sorted(await canned(services)) == sorted((e.title, e.text) for e in examples)

    path = await taken_over(chat, agent_console)
    page = await (await agent_console.get(path)).text()
    picker = page[page.index('id="canned-picker"') : page.index("</select>")]
    for example in examples:
        assert f'data-text="{example.text}">{example.title}</option>' in picker


async def test_a_shop_without_the_demo_starts_with_no_canned_replies(
    settings: Settings, clock: FakeClock
) -> None:
    services = await start_services(replace(settings, demo=False), clock)
    try:
        assert await canned(services) == []
    finally:
        await services.close()
