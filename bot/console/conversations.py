"""Console: 会话 (being built)."""

from aiohttp import web

from bot.console.templates import render


async def page(request: web.Request) -> web.Response:
    return render(request, "placeholder.html", {"section": "conversations", "title": "会话"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", page)
