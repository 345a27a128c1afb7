"""The demo admin's one-time password: kept in a private file, never in the output or the
log, and good for nothing but choosing a new password at the first sign-in."""

import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.cli.serve import first_admin_for_the_demo
from bot.desk.demo_admin import DEMO_ADMIN, PASSWORD_FILE
from bot.desk.staff_accounts import log_in
from bot.services import Services
from tests.support.console import CSRF_INPUT, PASSWORD, Console, sign_in

NEW_PASSWORD = "teapot on the windowsill 3"


async def demo_password(
    services: Services, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> str:
    """Start as `run` does with the demo shop; the one-time password, read from its file."""
    with caplog.at_level(logging.DEBUG):
        await first_admin_for_the_demo(services)
    path = services.settings.data_dir / PASSWORD_FILE
    password = path.read_text(encoding="utf-8").strip()
    printed = capsys.readouterr()
    assert str(path) in printed.out
    assert password not in printed.out + printed.err + caplog.text
    return password


async def test_the_demo_password_is_in_a_private_file_and_nowhere_else(
    services: Services, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    password = await demo_password(services, capsys, caplog)

    path = services.settings.data_dir / PASSWORD_FILE
    assert path.stat().st_mode & 0o077 == 0
    assert len(password) >= 16
    signed = await log_in(
        services.sessions, services.clock, services.settings, DEMO_ADMIN, password, "192.0.2.1"
    )
    assert signed.staff is not None
    # A second start finds the admin there: no new password, the file is left alone.
    await first_admin_for_the_demo(services)
    assert path.read_text(encoding="utf-8").strip() == password
    assert str(path) not in capsys.readouterr().out


async def change_password(console: Console, current: str, new: str, again: str = "") -> int:
    form = {"current": current, "password": new, "password_again": again or new}
    response = await console.post_form("/console/password", form, allow_redirects=False)
    return response.status


async def test_the_demo_password_opens_only_the_change_password_page(
    services: Services,
    client: TestClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = await demo_password(services, capsys, caplog)
    page = await (await client.get("/console/login")).text()
    token = CSRF_INPUT.search(page)
    assert token is not None
    form = {"name": DEMO_ADMIN, "password": password, "csrf_token": token.group(1)}
    response = await client.post("/console/login", data=form, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/console/password"

    for path in ("/console/", "/console/staff", "/console/faq", "/console/tickets"):
        response = await client.get(path, allow_redirects=False)
        assert (response.status, response.headers.get("Location")) == (302, "/console/password")
    assert (await client.get("/console/api/conversations")).status == 403
    page = await (await client.get("/console/password")).text()
    assert "请先设置自己的新密码" in page
    assert 'href="/console/staff"' not in page  # no menu that leads nowhere
    csrf = CSRF_INPUT.search(page)
    assert csrf is not None
    console = Console(client, None, csrf.group(1))  # type: ignore[arg-type]

    assert await change_password(console, password, "1234567890") == 400
    assert await change_password(console, password, "admin123456") == 400
    assert await change_password(console, "not it", NEW_PASSWORD) == 400
    assert await change_password(console, password, NEW_PASSWORD, "a typo") == 400
    assert (await client.get("/console/", allow_redirects=False)).status == 302
    assert await change_password(console, password, NEW_PASSWORD) == 303

    assert (await client.get("/console/staff", allow_redirects=False)).status == 200
    assert not (services.settings.data_dir / PASSWORD_FILE).exists()
    settings, clock = services.settings, services.clock
    old = await log_in(services.sessions, clock, settings, DEMO_ADMIN, password, "192.0.2.1")
    assert old.staff is None
    new = await log_in(services.sessions, clock, settings, DEMO_ADMIN, NEW_PASSWORD, "192.0.2.1")
    assert new.staff is not None and not new.staff.must_change_password


async def test_a_staff_member_changes_their_own_password(
    services: Services, agent_console: Console, tmp_path: Path
) -> None:
    assert (await agent_console.get("/console/password")).status == 200
    assert await change_password(agent_console, PASSWORD, NEW_PASSWORD) == 303
    # This browser stays signed in; the old password no longer works.
    assert (await agent_console.get("/console/", allow_redirects=False)).status == 200
    settings, clock = services.settings, services.clock
    old = await log_in(services.sessions, clock, settings, "wang", PASSWORD, "192.0.2.1")
    assert old.staff is None
    assert (await sign_in(agent_console.client, "wang", NEW_PASSWORD)) != ""
