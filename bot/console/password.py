"""Console: 修改密码, a staff member chooses a new password for their own account; an account
signed in with a password someone else chose (the demo admin's) can open nothing else first."""

from aiohttp import web

from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.session import session_of
from bot.console.signed_in import acting, signed_in
from bot.console.staff import password_problem
from bot.console.templates import render
from bot.desk.demo_admin import forget_demo_password
from bot.desk.password_policy import MIN_PASSWORD_CHARS
from bot.desk.staff_accounts import hash_password, password_matches, password_names
from bot.desk.staff_sessions import change_password, staff_by_id


async def page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    me = signed_in(request)
    context = {
        "section": "password",
        "error": error,
        "min_password": MIN_PASSWORD_CHARS,
        "forced": me.must_change_password,
        # Nothing but this page opens until the password is changed: no menu to mislead.
        **({"staff": None} if me.must_change_password else {}),
    }
    return render(request, "password.html", context, status=status)


async def change(request: web.Request) -> web.Response:
    """POST /console/password: the current password, and the new one twice."""
    form = await request.post()
    services = request.config_dict[SERVICES]
    me = signed_in(request)
    staff = await staff_by_id(services.sessions, me.id)
    assert staff is not None  # the sign-in check has just read it
    if not await password_matches(staff.password_hash, form_text(form, "current")):
        return await page(request, "当前密码不正确", status=400)
    new = form_text(form, "password")
    names = password_names(staff.name, staff.display_name, services.settings.shop_name)
    problem = password_problem(new, form_text(form, "password_again"), names)
    if problem is None and new == form_text(form, "current"):
        problem = "新密码不能与当前密码相同"
    if problem:
        return await page(request, problem, status=400)
    password_hash = await hash_password(new)
    # Other devices signed in with the old password are signed out; this one goes on.
    epoch = await change_password(services.sessions, acting(request), password_hash, staff.name)
    if me.must_change_password:
        forget_demo_password(services.settings)
    session_of(request)["epoch"] = epoch
    raise web.HTTPSeeOther("/console/")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/password", page)
    app.router.add_post("/password", change)
