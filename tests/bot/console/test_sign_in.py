"""Signing in to the console: passwords, lockout, the session cookie, sign-out."""

from aiohttp.test_utils import TestClient

from bot.app import Services
from storage.models import Staff
from tests.bot.console.conftest import PASSWORD, Console, sign_in
from tests.conftest import FakeClock


async def test_the_right_password_opens_the_console(client: TestClient, agent: Staff) -> None:
    await sign_in(client, agent.name)
    page = await (await client.get("/console/")).text()
    assert "小王" in page


async def test_a_wrong_password_is_refused(client: TestClient, agent: Staff) -> None:
    console_page = await client.get("/console/login")
    token = (await console_page.text()).split('name="csrf_token" value="')[1].split('"')[0]
    response = await client.post(
        "/console/login", data={"name": "wang", "password": "wrong", "csrf_token": token}
    )
    assert response.status == 401
    assert "用户名或密码不正确" in await response.text()
    assert (await client.get("/console/", allow_redirects=False)).status == 302


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    client: TestClient, agent: Staff, clock: FakeClock
) -> None:
    page = await (await client.get("/console/login")).text()
    token = page.split('name="csrf_token" value="')[1].split('"')[0]

    async def attempt(password: str) -> int:
        form = {"name": "wang", "password": password, "csrf_token": token}
        return (await client.post("/console/login", data=form, allow_redirects=False)).status

    assert [await attempt(f"guess{n}") for n in range(4)] == [401] * 4
    assert await attempt("guess5") == 423
    assert await attempt(PASSWORD) == 423  # even the right password, while locked
    clock.advance(minutes=14)
    assert await attempt(PASSWORD) == 423
    clock.advance(minutes=2)
    assert await attempt(PASSWORD) == 302


async def test_the_session_cookie_is_http_only_and_same_site(
    client: TestClient, agent: Staff
) -> None:
    page = await client.get("/console/login")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/console" in cookie


async def test_signing_out_ends_the_session(agent_console: Console) -> None:
    response = await agent_console.post_form("/console/logout", {}, allow_redirects=False)
    assert response.status == 302
    assert (await agent_console.get("/console/", allow_redirects=False)).status == 302


async def test_a_forged_cookie_is_a_signed_out_visitor(client: TestClient) -> None:
    client.session.cookie_jar.update_cookies({"kefu_console": "gAAAAAforged"})
    response = await client.get("/console/", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/console/login")


async def test_the_secret_key_is_kept_in_the_data_folder(services: Services) -> None:
    from bot.console.secret import KEY_FILE, console_secret

    first = console_secret(services.settings)
    assert (services.settings.data_dir / KEY_FILE).stat().st_mode & 0o077 == 0
    assert console_secret(services.settings) == first


async def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(
    admin_console: Console, agent: Staff, services: Services
) -> None:
    client = TestClient(admin_console.client.server)
    async with client:
        await sign_in(client, agent.name)
        assert (await client.get("/console/", allow_redirects=False)).status == 200
        form = {"password": "a brand new one", "password_again": "a brand new one"}
        path = f"/console/staff/{agent.id}/password"
        assert (await admin_console.post_form(path, form, allow_redirects=False)).status == 303
        response = await client.get("/console/", allow_redirects=False)
        assert response.status == 302
        assert response.headers["Location"].startswith("/console/login")


async def test_a_cookie_kept_from_before_signing_out_is_worth_nothing(
    agent_console: Console,
) -> None:
    cookies = agent_console.client.session.cookie_jar.filter_cookies(
        agent_console.client.make_url("/console/")
    )
    kept = cookies["kefu_console"].value
    assert (
        await agent_console.post_form("/console/logout", {}, allow_redirects=False)
    ).status == 302
    agent_console.client.session.cookie_jar.update_cookies({"kefu_console": kept})
    response = await agent_console.get("/console/api/conversations", allow_redirects=False)
    assert response.status == 401


async def test_the_console_address_without_a_slash_leads_to_the_console(
    agent_console: Console,
) -> None:
    response = await agent_console.get("/console", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/console/"


async def test_behind_an_https_proxy_the_cookie_can_be_marked_secure(
    services: Services,
) -> None:
    from dataclasses import replace

    from aiohttp.test_utils import TestServer

    from bot.app import create_app

    services.settings = replace(services.settings, secure_cookies=True)
    async with TestClient(TestServer(create_app(services))) as client:
        page = await client.get("/console/login")
        assert "Secure" in page.headers["Set-Cookie"]
