"""Console sign-in: login and logout, the sign-in check, CSRF tokens, roles.

Every console route needs a signed-in staff member; pages send anonymous visitors to the
login page, the JSON and event-stream routes under /console/api/ answer 401. Every request
that changes something carries the session's CSRF token (a form field or a header).
"""

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.session import CSRF_FIELD, session_of
from bot.console.signed_in import STAFF, SignedIn, signed_in
from bot.console.templates import render
from bot.desk import staff_sessions
from bot.desk.handover import release_all
from bot.desk.staff_accounts import log_in
from bot.desk.staff_sessions import Staff
from bot.web.request_address import client_address

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSRF_HEADER = "X-CSRF-Token"
# How often a signed-in agent's "last seen" is written: they count as online meanwhile.
SEEN_EVERY = timedelta(seconds=20)
PUBLIC_PATHS = ("/console/login",)
CHANGE_PASSWORD = "/console/password"
# What an account that must choose a new password may still open.
CHANGE_PASSWORD_PATHS = (CHANGE_PASSWORD, "/console/logout")
# The same answer to every refused sign-in: it does not say which part was wrong.
LOGIN_REFUSED = "用户名或密码不正确，或尝试次数过多暂时不能登录，请稍后再试"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def admin_only(handler: Handler) -> Handler:
    """Refuse the route to anyone but admins (FAQ, canned replies, staff accounts)."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if not signed_in(request).is_admin:
            # The console's own page with its menu, so the agent can go on from there.
            return render(request, "admin_only.html", {"section": ""}, status=403)
        return await handler(request)

    return checked


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in SAFE_METHODS:
        expected = session_of(request).get(CSRF_FIELD)
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.content_type in FORM_TYPES:
            sent = (await request.post()).get(CSRF_FIELD)
        if not (
            isinstance(expected, str)
            and isinstance(sent, str)
            and hmac.compare_digest(expected.encode(), sent.encode())
        ):
            raise web.HTTPForbidden(text="页面已过期，请刷新后重试")
    return await handler(request)


async def _signed_in_staff(request: web.Request) -> Staff | None:
    """The active staff member this session signed in, while the session is still valid;
    marks them seen (online) every little while."""
    session = session_of(request)
    staff_id = session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    services = request.config_dict[SERVICES]
    return await staff_sessions.signed_in_staff(
        services.sessions, staff_id, session.get("epoch"), services.clock.now(), SEEN_EVERY
    )


@web.middleware
async def sign_in_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS or request.path.startswith("/console/static/"):
        return await handler(request)
    staff = await _signed_in_staff(request)
    if staff is None:
        if request.path.startswith("/console/api/"):
            raise web.HTTPUnauthorized(text="请先登录")
        target = request.path_qs if request.method == "GET" else "/console/"
        raise web.HTTPFound(f"/console/login?next={quote(target)}")
    request[STAFF] = SignedIn(
        staff.id,
        staff.name,
        staff.display_name,
        staff.role,
        staff.session_epoch,
        staff.must_change_password,
    )
    if staff.must_change_password and request.path not in CHANGE_PASSWORD_PATHS:
        if request.path.startswith("/console/api/"):
            raise web.HTTPForbidden(text="请先修改密码")
        raise web.HTTPFound(CHANGE_PASSWORD)
    return await handler(request)


def _safe_next(target: str) -> str:
    """Only a console path: never send a signed-in agent to another site."""
    if target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/"


async def login_page(request: web.Request) -> web.Response:
    next_page = _safe_next(request.query.get("next", ""))
    return render(request, "login.html", {"next": next_page, "error": "", "name": ""})


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    name, password = form_text(form, "name"), form_text(form, "password")
    target = _safe_next(str(form.get("next", "")))
    services = request.config_dict[SERVICES]
    address = client_address(request, services.settings.trust_forwarded_for)
    result = await log_in(
        services.sessions, services.clock, services.settings, name, password, address
    )
    if result.staff is None:
        context = {"next": target, "error": LOGIN_REFUSED, "name": name}
        return render(request, "login.html", context, status=401)
    # A fresh session on sign-in: whatever was planted in the cookie before is gone.
    session = session_of(request)
    session.renew()
    session["staff_id"] = result.staff.id
    session["epoch"] = result.staff.session_epoch
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    raise web.HTTPFound(CHANGE_PASSWORD if result.staff.must_change_password else target)


async def logout(request: web.Request) -> web.Response:
    """Sign out on every device: a copied cookie is worth nothing afterwards, and queued
    chats are no longer given to this account."""
    services = request.config_dict[SERVICES]
    me = signed_in(request)
    await staff_sessions.end_sessions(services.sessions, me.id)
    # Whoever this agent was talking to goes back to the queue for a colleague.
    await release_all(services.sessions, services.clock, me.id)
    session_of(request).renew()
    raise web.HTTPFound("/console/login")
