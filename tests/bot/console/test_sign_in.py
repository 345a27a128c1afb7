"""Signing in to the console: passwords, lockout, the session cookie, sign-out."""

from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, start_services
from bot.desk import staff_accounts
from bot.desk.staff_accounts import log_in
from bot.services import Services
from core.settings import Settings
from storage.models import Staff
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD, Console, sign_in


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


async def login_form(client: TestClient) -> Callable[..., Awaitable[tuple[int, str]]]:
    """Posts the login form as a browser does: (status, page without its CSRF token)."""
    page = await (await client.get("/console/login")).text()
    token = page.split('name="csrf_token" value="')[1].split('"')[0]

    async def attempt(name: str, password: str, address: str = "") -> tuple[int, str]:
        form = {"name": name, "password": password, "csrf_token": token}
        headers = {"X-Forwarded-For": address} if address else {}
        response = await client.post(
            "/console/login", data=form, headers=headers, allow_redirects=False
        )
        return response.status, (await response.text()).replace(token, "")

    return attempt


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    client: TestClient, agent: Staff, clock: FakeClock
) -> None:
    attempt = await login_form(client)

    assert [(await attempt("wang", f"guess{n}"))[0] for n in range(5)] == [401] * 5
    assert (await attempt("wang", PASSWORD))[0] == 401  # even the right password, while locked
    clock.advance(minutes=14)
    assert (await attempt("wang", PASSWORD))[0] == 401
    clock.advance(minutes=2)
    assert (await attempt("wang", PASSWORD))[0] == 302


async def test_unknown_names_wrong_passwords_and_locked_accounts_get_the_same_answer(
    client: TestClient, agent: Staff, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt = await login_form(client)
    checks: list[str] = []
    checked = staff_accounts.password_matches

    async def counted(password_hash: str, password: str) -> bool:
        checks.append(password)
        return await checked(password_hash, password)

    monkeypatch.setattr(staff_accounts, "password_matches", counted)

    async def answer(name: str, password: str) -> tuple[int, str, int]:
        """The status, the page (the name typed in left out) and the hash checks made."""
        checks.clear()
        status, page = await attempt(name, password)
        return status, page.replace(f'value="{name}"', ""), len(checks)

    answers = {"wrong password": await answer("wang", "not the password")}
    answers["unknown name"] = await answer("zhao", "not the password")
    for n in range(services.settings.login_max_failures - 1):
        await attempt("wang", f"guess{n}")
    answers["locked account"] = await answer("wang", "not the password")
    answers["locked, right password"] = await answer("wang", PASSWORD)

    assert len(set(answers.values())) == 1, answers.keys()
    status, page, hash_checks = answers["wrong password"]
    assert status == 401
    assert "用户名或密码不正确" in page and "锁定" not in page
    assert hash_checks == 1  # one password hash check each: one timing class


async def test_many_wrong_sign_ins_from_one_address_block_it_for_any_name(
    services: Services, agent: Staff, clock: FakeClock
) -> None:
    services.settings = replace(services.settings, trust_forwarded_for=True)
    async with TestClient(TestServer(create_app(services))) as client:
        attempt = await login_form(client)
        limit = services.settings.login_address_max_failures
        # Spraying names, never one name often enough to lock an account.
        for n in range(limit):
            assert (await attempt(f"user{n}", "123456789a", "203.0.113.9"))[0] == 401

        assert (await attempt("wang", PASSWORD, "203.0.113.9"))[0] == 401
        assert (await attempt("wang", PASSWORD, "198.51.100.7"))[0] == 302
        clock.advance(minutes=services.settings.login_lock_minutes + 1)
        attempt = await login_form(client)  # signing in gave the browser a new token
        assert (await attempt("wang", PASSWORD, "203.0.113.9"))[0] == 302


async def test_an_address_blocked_through_one_process_is_blocked_in_another(
    services: Services, settings: Settings, agent: Staff, clock: FakeClock
) -> None:
    other_process = await start_services(settings, clock)
    try:
        for n in range(settings.login_address_max_failures):
            refused = await log_in(
                services.sessions, clock, settings, f"user{n}", "guess", "203.0.113.9"
            )
            assert refused.staff is None
        elsewhere = await log_in(
            other_process.sessions, clock, settings, "wang", PASSWORD, "203.0.113.9"
        )
        assert elsewhere.staff is None
    finally:
        await other_process.close()


async def test_only_the_address_the_proxy_added_counts(services: Services, agent: Staff) -> None:
    """A client cannot dodge the block by writing addresses of its own into the header."""
    services.settings = replace(services.settings, trust_forwarded_for=True)
    async with TestClient(TestServer(create_app(services))) as client:
        attempt = await login_form(client)
        for n in range(services.settings.login_address_max_failures):
            await attempt(f"user{n}", "123456789a", f"10.0.0.{n}, 203.0.113.9")
        assert (await attempt("wang", PASSWORD, "10.9.9.9, 203.0.113.9"))[0] == 401


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
    services.settings = replace(services.settings, secure_cookies=True)
    async with TestClient(TestServer(create_app(services))) as client:
        page = await client.get("/console/login")
        assert "Secure" in page.headers["Set-Cookie"]
