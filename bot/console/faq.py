"""Console: 知识库 (being built)."""

from aiohttp import web

from bot.console.auth import admin_only
from bot.console.templates import render


async def page(request: web.Request) -> web.Response:
    return render(request, "placeholder.html", {"section": "faq", "title": "知识库"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/faq", admin_only(page))
