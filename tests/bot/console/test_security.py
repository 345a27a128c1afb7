"""Every console route refuses visitors who are not signed in, and every change needs the
session's CSRF token; customers' chat calls only ever see their own messages."""

import re

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.services import Services
from tests.support.chat import Chat
from tests.support.console import Console

PUBLIC = {"/console/login", "/console/static"}


def console_routes(services: Services) -> list[tuple[str, str]]:
    """(method, path) of every console route, path parameters filled with 1."""
    app = create_app(services)
    routes = []
    for resource in app.router.resources():
        sub = getattr(resource, "_app", None)
        if sub is None:
            continue
        for route in sub.router.routes():
            info = route.resource.get_info() if route.resource else {}
            path = info.get("path") or info.get("formatter") or info.get("prefix", "")
            path = re.sub(r"\{[^}]+\}", "1", path)
            if route.method != "HEAD" and not any(path.startswith(p) for p in PUBLIC):
                routes.append((route.method, path))
    assert len(routes) > 3  # the console's own routes were found
    return routes


async def test_anonymous_requests_are_sent_to_login_or_refused(
    services: Services, client: TestClient
) -> None:
    for method, path in console_routes(services):
        response = await client.request(method, path, allow_redirects=False)
        if path.startswith("/console/api/"):
            assert response.status == 401, (method, path)
        else:
            assert response.status == 302, (method, path)
            assert response.headers["Location"].startswith("/console/login"), (method, path)


@pytest.mark.parametrize("sent", [None, "not-the-token"])
async def test_changes_without_the_csrf_token_are_refused(
    services: Services, admin_console: Console, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    for method, path in console_routes(services):
        if method == "GET":
            continue
        form = {} if sent is None else {"csrf_token": sent}
        response = await admin_console.client.request(
            method, path, data=form, headers=headers, allow_redirects=False
        )
        assert response.status == 403, (method, path)


async def test_a_login_post_from_another_site_is_refused(client: TestClient) -> None:
    response = await client.post(
        "/console/login", data={"name": "boss", "password": "x"}, allow_redirects=False
    )
    assert response.status == 403


async def test_one_customers_chat_calls_never_show_anothers_messages(
    chat: Chat, client: TestClient
) -> None:
    await chat.as_user("alice-secret-id").ask("你好，我的订单 KF20261120001")
    await chat.as_user("bob-secret-id").ask("你好")
    alice = await (await client.get("/api/chat/messages?user=alice-secret-id")).json()
    bob = await (await client.get("/api/chat/messages?user=bob-secret-id")).json()
    alice_ids = {m["id"] for m in alice["messages"]}
    bob_ids = {m["id"] for m in bob["messages"]}
    assert alice_ids and bob_ids and not alice_ids & bob_ids
    assert "KF20261120001" not in str(bob)


# --- what the browser is told and shown -----------------------------------------------------------

INVISIBLE_SAMPLES = ("\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\x1b")


async def busy_console_pages(admin_console: Console, chat: Chat) -> list[str]:
    """The paths of every console page an admin can open without a parameter, and of one
    conversation and one ticket with a customer in them."""
    await chat.ask("KF20261120001")
    await chat.ask("8000")
    answer = await chat.ask("快递太慢了，我要投诉")
    number = re.search(r"CP\d{8}-\d{4}", answer)
    assert number is not None, answer
    conversation = (await chat.conversation()).id
    fixed = [
        path
        for method, path in console_routes(chat.services)
        if method == "GET" and "/1" not in path and not path.startswith("/console/api/")
    ]
    return [
        *fixed,
        f"/console/conversations/{conversation}",
        f"/console/tickets/{number.group()}",
        "/console/orders/KF20261120001",
    ]


async def test_every_page_forbids_framing_and_runs_only_the_servers_scripts(
    admin_console: Console, chat: Chat, client: TestClient
) -> None:
    paths = await busy_console_pages(admin_console, chat)
    responses = [await admin_console.get(path, allow_redirects=False) for path in paths]
    # The chat page, its script, a console page of an unknown ticket, and the login page.
    responses += [
        await client.get(path, allow_redirects=False)
        for path in ("/", "/static/chat.js", "/console/static/console.js", "/console/tickets/X")
    ]
    anonymous = TestClient(client.server)
    await anonymous.start_server()
    responses.append(await anonymous.get("/console/login"))
    await anonymous.session.close()

    for response in responses:
        where = f"{response.method} {response.url.path} {response.status}"
        assert response.headers.get("X-Frame-Options") == "DENY", where
        policy = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, where
        assert "style-src 'self'" in policy and "unsafe-inline" not in policy, where


async def test_no_page_has_inline_script_or_style_a_strict_policy_would_block(
    admin_console: Console, chat: Chat, client: TestClient
) -> None:
    pages = [
        await (await admin_console.get(path)).text()
        for path in await busy_console_pages(admin_console, chat)
    ]
    pages.append(await (await client.get("/")).text())

    for page in pages:
        assert page.count("<script") == len(re.findall(r'<script src="/[^"]+"', page)), page
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", page), page


async def test_invisible_characters_in_customers_text_and_ids_are_not_shown(
    agent_console: Console, chat: Chat
) -> None:
    sneaky = chat.as_user("att\u200b2\u202e")
    # Would show as "订单1002611202FK…" with the override, the order number turned around.
    text = "订单\u202eKF20261120001\u202c到哪了\u2066\ufeff\u200b\x1b"
    await sneaky.ask(text)
    answer = await sneaky.ask("快递太慢了\u202e，我要投诉\u200d")
    number = re.search(r"CP\d{8}-\d{4}", answer)
    assert number is not None, answer
    conversation = f"/console/conversations/{(await sneaky.conversation()).id}"

    for path in ("/console/", conversation, "/console/tickets", f"/console/tickets/{number[0]}"):
        response = await agent_console.get(path)
        page = await response.text()
        assert response.status == 200, page
        assert not any(ch in page for ch in INVISIBLE_SAMPLES), path
        assert "att2" in page, path  # the chat id, without its invisible characters
    page = await (await agent_console.get(conversation)).text()
    assert "订单KF20261120001到哪了" in page and "快递太慢了，我要投诉" in page
