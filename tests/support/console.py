"""A staff member's browser on the console, signed in through the login form."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from storage.models import Staff
from tests.support.chat import Chat

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


# Signs a staff member in from another browser: `await another_browser(staff)`.
OpenConsole = Callable[[Staff], Awaitable[Console]]
