"""The staff console (DESIGN §1): pages for conversations, tickets, FAQ, reports and staff,
mounted under /console on the same server as the web chat."""

from pathlib import Path

from aiohttp import web

from bot.console import (
    canned,
    conversations,
    faq,
    notifications,
    orders,
    password,
    reports,
    staff,
    tickets,
)
from bot.console.auth import csrf_middleware, login, login_page, logout, sign_in_middleware
from bot.console.secret import console_secret
from bot.console.services import SERVICES
from bot.console.session import session_middleware
from bot.console.templates import TEMPLATES, template_environment
from bot.services import Services
from knowledge.faq_categories import load_category_names

HERE = Path(__file__).parent


def mount_console(app: web.Application, services: Services) -> None:
    """Add the console under /console, with its own sign-in and session cookie."""
    settings = services.settings
    console = web.Application(
        middlewares=[
            session_middleware(
                console_secret(settings), settings.session_hours * 3600, settings.secure_cookies
            ),
            sign_in_middleware,
            csrf_middleware,
            notifications.unread_badge_middleware,
        ]
    )
    console[SERVICES] = services
    console[TEMPLATES] = template_environment(settings.zone)
    console[faq.CATEGORY_NAMES] = load_category_names()
    console.router.add_get("/login", login_page)
    console.router.add_post("/login", login)
    console.router.add_post("/logout", logout)
    console.router.add_static("/static", HERE / "static")
    areas = (conversations, tickets, orders, notifications, faq, canned, reports, staff, password)
    for area in areas:
        area.add_routes(console)

    async def to_console(_request: web.Request) -> web.Response:
        raise web.HTTPFound("/console/")

    # Before the sub-application, which would otherwise take "/console" and find no page.
    app.router.add_get("/console", to_console)
    app.add_subapp("/console", console)
