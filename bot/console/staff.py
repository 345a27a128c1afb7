"""Console: 员工, admins manage staff accounts and read the audit log."""

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.console.auth import admin_only
from bot.console.formatting import label
from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import acting
from bot.console.templates import render
from bot.desk import audit
from bot.desk.handover import release_all
from bot.desk.password_policy import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    Weakness,
    password_weakness,
)
from bot.desk.staff_accounts import (
    MAX_DISPLAY_NAME_CHARS,
    MAX_NAME_CHARS,
    hash_password,
    password_names,
)
from bot.desk.staff_admin import (
    AccountChange,
    AccountRefused,
    Refusal,
    Staff,
    StaffNotFound,
    add_staff,
    all_staff,
    change_account,
    deactivation,
    password_reset,
    reactivation,
    role_change,
    unlocking,
)
from bot.desk.staff_sessions import staff_by_id
from core.enums import StaffRole
from handlers.handover.rule import ONLINE_WINDOW

STAFF_ROLES = tuple(StaffRole)
# Staff seen this lately count as online (an open console is seen every SEEN_EVERY).
AUDIT_ENTRIES = 200
# What a change's redirect may say: fixed texts, so a link cannot put words on the page.
NOTICES = {
    "added": "账号已添加",
    "password": "密码已重置",
    "role": "角色已修改",
    "deactivated": "账号已停用",
    "reactivated": "账号已启用",
    "unlocked": "账号已解锁",
}
ACTIONS = {
    "login": "登录",
    "account_locked": "账号被锁定",
    "staff_added": "添加账号",
    "password_reset": "重置密码",
    "role_changed": "修改角色",
    "staff_deactivated": "停用账号",
    "staff_reactivated": "启用账号",
    "staff_unlocked": "解锁账号",
    "address_blocked": "登录来源暂时封禁",
    "password_changed": "修改自己的密码",
    "faq_add": "新增问答",
    "faq_edit": "修改问答",
    "faq_delete": "删除问答",
    "faq_alternate": "添加问法",
    "unanswered_dismiss": "忽略未解答问题",
    "message_scheduled": "安排定时消息",
    "followup_cancelled": "取消定时消息",
    "order_shipment": "登记发货",
    "order_delivered": "确认签收",
    "ticket_update": "更新工单",
    "ticket_approve_return": "同意退换货",
}

NO_ACCOUNT = "没有这个员工账号"
# Why an account change was refused (bot.desk.staff_admin.Refusal), as the admin reads it.
REFUSALS = {
    Refusal.NAME_TAKEN: "用户名 {name} 已被使用",
    Refusal.OWN_ROLE: "不能修改自己的角色，请让另一位管理员操作",
    Refusal.OWN_ACCOUNT: "不能停用自己的账号",
    Refusal.LAST_ADMIN: "至少要保留一名启用中的管理员",
}


@dataclass(frozen=True)
class StaffRow:
    """An account in the list, with what is true of it now."""

    staff: Staff
    online: bool
    locked: bool


def account_problem(name: str, display_name: str, role: str) -> str | None:
    """Why a new account's name, display name or role cannot be used, if it cannot."""
    if not name or len(name) > MAX_NAME_CHARS or any(ch.isspace() for ch in name):
        return f"用户名须为 1–{MAX_NAME_CHARS} 个字符，且不能含空格"
    if len(display_name) > MAX_DISPLAY_NAME_CHARS:
        return f"显示名称不能超过 {MAX_DISPLAY_NAME_CHARS} 个字符"
    if role not in STAFF_ROLES:
        return "请选择有效的角色"
    return None


WEAKNESS_TEXTS = {
    Weakness.TOO_SHORT: f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符",
    Weakness.TOO_LONG: f"密码不能超过 {MAX_PASSWORD_CHARS} 个字符",
    Weakness.COMMON: "这个密码太常见或太简单，请换一个",
    Weakness.NAME: "密码不能是用户名或店铺名称",
}


def password_problem(password: str, again: str, names: Iterable[str]) -> str | None:
    """Why a new password cannot be used by an account with these names, if it cannot."""
    weakness = password_weakness(password, names)
    if weakness is not None:
        return WEAKNESS_TEXTS[weakness]
    if password != again:
        return "两次输入的密码不一致"
    return None


async def listing(
    request: web.Request, error: str = "", form: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    """The account list with its forms; after a refused change, with the reason."""
    services = request.config_dict[SERVICES]
    now = services.clock.now()
    accounts = await all_staff(services.sessions)
    rows = [
        StaffRow(
            staff,
            online=staff.active
            and staff.last_seen_at is not None
            and now - staff.last_seen_at <= ONLINE_WINDOW,
            locked=staff.locked_until is not None and staff.locked_until > now,
        )
        for staff in accounts
    ]
    context = {
        "section": "staff",
        "rows": rows,
        "roles": STAFF_ROLES,
        "min_password": MIN_PASSWORD_CHARS,
        "notice": "" if error else NOTICES.get(request.query.get("done", ""), ""),
        "error": error,
        "form": form or {"name": "", "display_name": "", "role": "agent"},
    }
    return render(request, "staff.html", context, status=status)


async def page(request: web.Request) -> web.Response:
    return await listing(request)


async def add(request: web.Request) -> web.Response:
    """POST /console/staff: a new account."""
    form = await request.post()
    name = form_text(form, "name").strip()
    display_name = form_text(form, "display_name").strip()
    role = form_text(form, "role")
    values = {"name": name, "display_name": display_name, "role": role}
    services = request.config_dict[SERVICES]
    problem = account_problem(name, display_name, role) or password_problem(
        str(form.get("password", "")),
        str(form.get("password_again", "")),
        password_names(name, display_name, services.settings.shop_name),
    )
    if problem:
        return await listing(request, problem, values, status=400)
    password_hash = await hash_password(str(form.get("password", "")))
    try:
        await add_staff(
            services.sessions,
            acting(request),
            name,
            display_name,
            role,
            password_hash,
            audit_detail=label(role),
        )
    except AccountRefused as refusal:
        return await listing(request, _refusal_text(refusal, name), values, status=400)
    raise web.HTTPSeeOther("/console/staff?done=added")


async def _change(request: web.Request, change: AccountChange, done: str) -> web.Response:
    """Apply one change to the account in the path, audited, in one transaction."""
    staff_id = int(request.match_info["staff_id"])  # the route admits digits only
    services = request.config_dict[SERVICES]
    try:
        await change_account(services.sessions, staff_id, change, acting(request))
    except StaffNotFound:
        raise web.HTTPNotFound(text=NO_ACCOUNT) from None
    except AccountRefused as refusal:
        return await listing(request, _refusal_text(refusal), status=400)
    raise web.HTTPSeeOther(f"/console/staff?done={done}")


def _refusal_text(refusal: AccountRefused, name: str = "") -> str:
    return REFUSALS[refusal.reason].format(name=name)


async def _releasing_chats(request: web.Request, changing: Awaitable[web.Response]) -> web.Response:
    """Apply an account change that signs the account out everywhere; once it is done, the
    chats the account held go back to the queue in their old place, rather than wait on
    nobody."""
    try:
        return await changing
    except web.HTTPSeeOther:  # done: a refused change answers with the page instead
        services = request.config_dict[SERVICES]
        await release_all(services.sessions, services.clock, int(request.match_info["staff_id"]))
        raise


async def reset_password(request: web.Request) -> web.Response:
    form = await request.post()
    password = str(form.get("password", ""))
    services = request.config_dict[SERVICES]
    target = await staff_by_id(services.sessions, int(request.match_info["staff_id"]))
    if target is None:
        raise web.HTTPNotFound(text=NO_ACCOUNT)
    names = password_names(target.name, target.display_name, services.settings.shop_name)
    problem = password_problem(password, str(form.get("password_again", "")), names)
    if problem:
        return await listing(request, problem, status=400)
    password_hash = await hash_password(password)
    return await _releasing_chats(
        request, _change(request, password_reset(password_hash), "password")
    )


async def change_role(request: web.Request) -> web.Response:
    role = str((await request.post()).get("role", ""))
    if role not in STAFF_ROLES:
        return await listing(request, "请选择有效的角色", status=400)
    return await _change(request, role_change(role, label), "role")


async def deactivate(request: web.Request) -> web.Response:
    return await _releasing_chats(request, _change(request, deactivation, "deactivated"))


async def reactivate(request: web.Request) -> web.Response:
    return await _change(request, reactivation, "reactivated")


async def unlock(request: web.Request) -> web.Response:
    return await _change(request, unlocking, "unlocked")


async def audit_log(request: web.Request) -> web.Response:
    """GET /console/staff/audit: the newest audit entries."""
    services = request.config_dict[SERVICES]
    log = await audit.recent(services.sessions, AUDIT_ENTRIES)
    names = log.names
    rows: list[dict[str, Any]] = [
        {
            "time": entry.time,
            "who": names.get(entry.staff_id, "") if entry.staff_id is not None else "系统",
            "action": ACTIONS.get(entry.action) or label(entry.action),
            "subject": entry.subject,
            "detail": entry.detail,
        }
        for entry in log.entries
    ]
    return render(request, "staff_audit.html", {"section": "staff", "rows": rows})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/staff", admin_only(page))
    app.router.add_post("/staff", admin_only(add))
    app.router.add_get("/staff/audit", admin_only(audit_log))
    app.router.add_post("/staff/{staff_id:\\d{1,9}}/password", admin_only(reset_password))
    app.router.add_post("/staff/{staff_id:\\d{1,9}}/role", admin_only(change_role))
    app.router.add_post("/staff/{staff_id:\\d{1,9}}/deactivate", admin_only(deactivate))
    app.router.add_post("/staff/{staff_id:\\d{1,9}}/reactivate", admin_only(reactivate))
    app.router.add_post("/staff/{staff_id:\\d{1,9}}/unlock", admin_only(unlock))
