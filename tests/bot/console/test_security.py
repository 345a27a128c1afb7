"""Every console route refuses visitors who are not signed in, and every change needs the
session's CSRF token; customers' chat calls only ever see their own messages."""

import re

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Services, create_app
from tests.bot.console.conftest import Console
from tests.conftest import Chat

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
