"""Console: 员工 (being built)."""

from aiohttp import web

from bot.console.auth import admin_only
from bot.console.templates import render


async def page(request: web.Request) -> web.Response:
    return render(request, "placeholder.html", {"section": "staff", "title": "员工"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/staff", admin_only(page))
