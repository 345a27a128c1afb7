"""Console: 快捷回复 (being built)."""

from aiohttp import web

from bot.console.auth import admin_only
from bot.console.templates import render


async def page(request: web.Request) -> web.Response:
    return render(request, "placeholder.html", {"section": "canned", "title": "快捷回复"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/canned", admin_only(page))
