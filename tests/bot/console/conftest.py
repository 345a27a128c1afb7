"""Console fixtures: staff accounts and a signed-in browser-like client."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.desk.staff_accounts import create_staff
from bot.services import Services
from storage.models import Staff
from tests.conftest import Chat

PASSWORD = "correct horse 1"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    """A staff member's browser on the console: signed in, carrying the CSRF token."""

    client: TestClient
    staff: Staff
    csrf: str

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.client.get(path, **kwargs)

    async def post_form(self, path: str, data: dict[str, Any], **kwargs: Any) -> ClientResponse:
        """A form post as the page sends it, with the CSRF field."""
        return await self.client.post(path, data={**data, "csrf_token": self.csrf}, **kwargs)

    async def post_json(self, path: str, data: Any, **kwargs: Any) -> ClientResponse:
        """A script's post, with the CSRF header."""
        headers = {"X-CSRF-Token": self.csrf}
        return await self.client.post(path, json=data, headers=headers, **kwargs)


async def taken_over(chat: Chat, console: Console) -> str:
    """The customer asks for a person and the console's agent takes the chat; its page path."""
    await chat.ask("转人工")
    path = f"/console/conversations/{(await chat.conversation()).id}"
    take = await console.post_json(f"{path}/take", {})
    assert take.status == 200
    return path


async def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; the session's CSRF token."""
    page = await (await client.get("/console/login")).text()
    token = CSRF_INPUT.search(page)
    assert token is not None
    response = await client.post(
        "/console/login",
        data={"name": name, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert response.status == 302, await response.text()
    page = await (await client.get("/console/")).text()
    token = CSRF_INPUT.search(page)
    assert token is not None
    return token.group(1)


@pytest.fixture
async def agent(services: Services) -> Staff:
    return await create_staff(services.sessions, services.clock, "wang", "agent", PASSWORD, "小王")


@pytest.fixture
async def admin(services: Services) -> Staff:
    return await create_staff(services.sessions, services.clock, "boss", "admin", PASSWORD, "老板")


# Signs a staff member in from another browser: `await another_browser(staff)`.
OpenConsole = Callable[[Staff], Awaitable[Console]]


@pytest.fixture
async def another_browser(client: TestClient) -> AsyncIterator[OpenConsole]:
    """Sign a staff member in from a browser of their own (own cookies), on the same server."""
    browsers: list[TestClient] = []

    async def open_for(staff: Staff) -> Console:
        browser = TestClient(client.server)
        await browser.start_server()
        browsers.append(browser)
        return Console(browser, staff, await sign_in(browser, staff.name))

    yield open_for
    for browser in browsers:
        await browser.session.close()


@pytest.fixture
async def agent_console(client: TestClient, agent: Staff) -> Console:
    return Console(client, agent, await sign_in(client, agent.name))


@pytest.fixture
async def admin_console(client: TestClient, admin: Staff) -> Console:
    return Console(client, admin, await sign_in(client, admin.name))
