"""Staff accounts in the console: admins manage them, agents may not, every change audited."""

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.desk.staff_accounts import log_in
from bot.services import Services
from storage.models import AuditEntry, Staff
from storage.repositories import Repositories
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD, Console, sign_in

NEW_PASSWORD = "new secret 42"
STAFF_ROUTES = [
    ("GET", "/console/staff"),
    ("GET", "/console/staff/audit"),
    ("POST", "/console/staff"),
    ("POST", "/console/staff/{id}/password"),
    ("POST", "/console/staff/{id}/role"),
    ("POST", "/console/staff/{id}/deactivate"),
    ("POST", "/console/staff/{id}/reactivate"),
    ("POST", "/console/staff/{id}/unlock"),
]


@pytest.fixture
async def agent_browser(services: Services, agent: Staff) -> AsyncIterator[Console]:
    """The agent signed in on a browser of their own, while the admin uses `client`."""
    async with TestClient(TestServer(create_app(services))) as other:
        yield Console(other, agent, await sign_in(other, agent.name))


async def account(services: Services, name: str) -> Staff:
    async with services.sessions() as session:
        staff = await Repositories.for_session(session).staff.by_name(name)
    assert staff is not None
    return staff


async def audited(services: Services) -> list[tuple[str, str, str]]:
    """(action, subject, detail) of everything but logins, oldest first."""
    async with services.sessions() as session:
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.action != "login").order_by(AuditEntry.id)
        )
        return [(entry.action, entry.subject, entry.detail) for entry in entries]


async def can_log_in(services: Services, name: str, password: str = PASSWORD) -> bool:
    settings = services.settings
    result = await log_in(services.sessions, services.clock, settings, name, password, "192.0.2.1")
    return result.staff is not None


async def test_agents_are_refused_every_staff_route(
    services: Services, agent_console: Console, admin: Staff
) -> None:
    for method, path in STAFF_ROUTES:
        path = path.format(id=admin.id)
        if method == "GET":
            response = await agent_console.get(path, allow_redirects=False)
        else:
            form = {"role": "agent", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
            response = await agent_console.post_form(path, form, allow_redirects=False)
        assert response.status == 403, (method, path)
    boss = await account(services, "boss")
    assert (boss.role, boss.active) == ("admin", True)
    assert await can_log_in(services, "boss")
    assert await audited(services) == []


async def test_the_list_shows_every_account(admin_console: Console, agent: Staff) -> None:
    page = await (await admin_console.get("/console/staff")).text()

    assert "小王" in page and "老板" in page
    assert "<td>客服</td>" in page and "<td>管理员</td>" in page
    assert "从未登录" in page  # wang
    assert '<span class="badge online">在线</span>' in page  # the admin, this very minute


async def test_an_admin_adds_an_account_that_can_sign_in(
    services: Services, admin_console: Console
) -> None:
    form = {
        "name": "li",
        "display_name": "小李",
        "role": "agent",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }

    response = await admin_console.post_form("/console/staff", form, allow_redirects=False)

    assert response.status == 303
    assert response.headers["Location"] == "/console/staff?done=added"
    page = await (await admin_console.get(response.headers["Location"])).text()
    assert "账号已添加" in page and "小李" in page
    assert await can_log_in(services, "li", NEW_PASSWORD)
    assert await audited(services) == [("staff_added", "li", "客服")]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "用户名须为 1–64 个字符，且不能含空格"),
        ({"name": "li ming"}, "用户名须为 1–64 个字符，且不能含空格"),
        ({"name": "wang"}, "用户名 wang 已被使用"),
        ({"role": "owner"}, "请选择有效的角色"),
        ({"password": "short", "password_again": "short"}, "密码至少需要 10 个字符"),
        ({"password_again": "another one"}, "两次输入的密码不一致"),
        ({"password": "1q2w3e4r5t", "password_again": "1q2w3e4r5t"}, "这个密码太常见或太简单"),
        (
            {"name": "xiaoli", "password": "Xiaoli2026!", "password_again": "Xiaoli2026!"},
            "密码不能是用户名或店铺名称",
        ),
    ],
)
async def test_an_account_that_cannot_be_added_is_refused_in_chinese(
    services: Services,
    admin_console: Console,
    agent: Staff,
    changes: dict[str, str],
    error: str,
) -> None:
    form = {
        "name": "li",
        "display_name": "小李",
        "role": "agent",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        **changes,
    }

    response = await admin_console.post_form("/console/staff", form, allow_redirects=False)

    assert response.status == 400
    page = await response.text()
    assert error in page
    assert 'value="小李"' in page  # what was typed is kept, except the passwords
    async with services.sessions() as session:
        assert await Repositories.for_session(session).staff.count() == 2
    assert await audited(services) == []


async def test_an_admin_resets_a_password(
    services: Services, admin_console: Console, agent: Staff
) -> None:
    path = f"/console/staff/{agent.id}/password"
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}

    response = await admin_console.post_form(path, form, allow_redirects=False)

    assert response.status == 303
    assert not await can_log_in(services, "wang", PASSWORD)
    settings, clock = services.settings, services.clock
    signed = await log_in(services.sessions, clock, settings, "wang", NEW_PASSWORD, "192.0.2.1")
    # A password the admin chose opens only the change-password page for its owner.
    assert signed.staff is not None and signed.staff.must_change_password
    assert await audited(services) == [("password_reset", "wang", "")]
    different = {"password": NEW_PASSWORD, "password_again": "something else"}
    refused = await admin_console.post_form(path, different, allow_redirects=False)
    assert refused.status == 400
    assert "两次输入的密码不一致" in await refused.text()


@pytest.mark.parametrize("weak", ["iloveyou123", "Wang12345678", "小王小王小王小王小王"])
async def test_an_admin_cannot_reset_a_password_to_a_weak_one(
    services: Services, admin_console: Console, agent: Staff, weak: str
) -> None:
    path = f"/console/staff/{agent.id}/password"

    refused = await admin_console.post_form(
        path, {"password": weak, "password_again": weak}, allow_redirects=False
    )

    assert refused.status == 400
    assert await can_log_in(services, "wang", PASSWORD)
    assert await audited(services) == []


async def test_an_admin_makes_an_agent_an_admin(
    services: Services, admin_console: Console, agent: Staff
) -> None:
    path = f"/console/staff/{agent.id}/role"

    response = await admin_console.post_form(path, {"role": "admin"}, allow_redirects=False)

    assert response.status == 303
    assert (await account(services, "wang")).role == "admin"
    assert await audited(services) == [("role_changed", "wang", "客服 → 管理员")]
    bad = await admin_console.post_form(path, {"role": "owner"}, allow_redirects=False)
    assert bad.status == 400


@pytest.mark.parametrize(
    ("action", "form", "error"),
    [
        ("role", {"role": "agent"}, "不能修改自己的角色"),
        ("deactivate", {}, "不能停用自己的账号"),
    ],
)
async def test_an_admin_cannot_demote_or_deactivate_themselves(
    services: Services, admin_console: Console, action: str, form: dict[str, str], error: str
) -> None:
    path = f"/console/staff/{admin_console.staff.id}/{action}"

    response = await admin_console.post_form(path, form, allow_redirects=False)

    assert response.status == 400
    assert error in await response.text()
    boss = await account(services, "boss")
    assert (boss.role, boss.active) == ("admin", True)
    assert await audited(services) == []


async def test_a_deactivated_agent_is_signed_out_and_cannot_sign_in_again(
    services: Services, admin_console: Console, agent_browser: Console
) -> None:
    agent = agent_browser.staff
    assert (await agent_browser.get("/console/", allow_redirects=False)).status == 200

    response = await admin_console.post_form(
        f"/console/staff/{agent.id}/deactivate", {}, allow_redirects=False
    )

    assert response.status == 303
    signed_out = await agent_browser.get("/console/", allow_redirects=False)
    assert signed_out.status == 302
    assert signed_out.headers["Location"].startswith("/console/login")
    assert not await can_log_in(services, "wang")
    assert "已停用" in await (await admin_console.get("/console/staff")).text()

    await admin_console.post_form(f"/console/staff/{agent.id}/reactivate", {})

    assert await can_log_in(services, "wang")
    assert await audited(services) == [
        ("staff_deactivated", "wang", ""),
        ("staff_reactivated", "wang", ""),
    ]


async def test_unlocking_ends_a_lockout_at_once(
    services: Services, admin_console: Console, agent: Staff
) -> None:
    for n in range(services.settings.login_max_failures):
        assert not await can_log_in(services, "wang", f"guess{n}")
    assert not await can_log_in(services, "wang")  # locked: even the right password fails
    page = await (await admin_console.get("/console/staff")).text()
    assert '<span class="badge urgent">11-29 11:15</span>' in page
    assert f'action="/console/staff/{agent.id}/unlock"' in page

    response = await admin_console.post_form(
        f"/console/staff/{agent.id}/unlock", {}, allow_redirects=False
    )

    assert response.status == 303
    assert await can_log_in(services, "wang")
    assert await audited(services) == [
        ("account_locked", "wang", ""),
        ("staff_unlocked", "wang", ""),
    ]


async def test_the_audit_log_says_who_did_what_to_whom(
    admin_console: Console, agent: Staff, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    await admin_console.post_form(f"/console/staff/{agent.id}/role", {"role": "admin"})

    page = await (await admin_console.get("/console/staff/audit")).text()

    newest = page.split("<tbody>")[1].split("</tr>")[0]
    cells = [cell.strip() for cell in newest.split("<td>")[1:]]
    assert [cell.removesuffix("</td>").strip() for cell in cells] == [
        "2026-11-29 11:05",
        "boss",
        "修改角色",
        "wang",
        "客服 → 管理员",
    ]
    assert "登录" in page  # the admin's own sign-in


async def test_an_unknown_account_is_not_found(admin_console: Console) -> None:
    response = await admin_console.post_form("/console/staff/999/unlock", {})

    assert response.status == 404
