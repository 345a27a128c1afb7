"""Console fixtures: staff accounts and a signed-in browser-like client."""

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient

from bot.desk.staff_accounts import create_staff
from bot.services import Services
from storage.models import Staff
from tests.support.console import PASSWORD, Console, OpenConsole, sign_in


@pytest.fixture
async def agent(services: Services) -> Staff:
    return await create_staff(services.sessions, services.clock, "wang", "agent", PASSWORD, "小王")


@pytest.fixture
async def admin(services: Services) -> Staff:
    return await create_staff(services.sessions, services.clock, "boss", "admin", PASSWORD, "老板")


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
