"""Console: 提醒, staff notifications: new and urgent tickets, deadlines.

Notifications are the whole team's: one agent marking one read marks it read for everyone.
"""

from aiohttp import web

from bot.console.auth import Handler
from bot.console.services import SERVICES
from bot.console.signed_in import signed_in_or_none
from bot.console.templates import UNREAD_NOTIFICATIONS, render
from bot.desk import notifications

# There may be thousands over the months: the page shows the newest.
LIST_LIMIT = 200
# Requests that are no page with the navigation (scripts' fragments, the event stream, files).
NO_BADGE_PREFIXES = ("/console/api/", "/console/static/")


async def page(request: web.Request) -> web.Response:
    """GET /console/notifications: the newest notifications first, unread ones marked."""
    services = request.config_dict[SERVICES]
    listed = await notifications.latest(services.sessions, LIST_LIMIT)
    rows, unread = listed.rows, listed.unread
    context = {
        "section": "notifications",
        "rows": rows,
        "unread": unread,
        "newest_id": rows[0].notification.id if rows else 0,
        "limit": LIST_LIMIT,
    }
    return render(request, "notifications.html", context)


async def mark_read(request: web.Request) -> web.Response:
    """POST /console/notifications/{id}/read: 标为已读 (read already: nothing changes)."""
    services = request.config_dict[SERVICES]
    await notifications.mark_read(
        services.sessions, int(request.match_info["id"]), services.clock.now()
    )
    raise web.HTTPSeeOther("/console/notifications")


async def mark_all_read(request: web.Request) -> web.Response:
    """POST /console/notifications/read-all: 全部标为已读, up to the newest the page showed,
    so one that arrived meanwhile is not marked read unseen."""
    form = await request.post()
    raw = str(form.get("up_to", ""))
    if not raw.isdecimal() or len(raw) > 9:
        raise web.HTTPBadRequest(text="请刷新页面后重试")
    services = request.config_dict[SERVICES]
    await notifications.mark_all_read(services.sessions, int(raw), services.clock.now())
    raise web.HTTPSeeOther("/console/notifications")


@web.middleware
async def unread_badge_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count the unread notifications for the navigation's badge on every console page."""
    if signed_in_or_none(request) is not None and not request.path.startswith(NO_BADGE_PREFIXES):
        services = request.config_dict[SERVICES]
        request[UNREAD_NOTIFICATIONS] = await notifications.unread_count(services.sessions)
    return await handler(request)


def add_routes(console: web.Application) -> None:
    console.router.add_get("/notifications", page)
    console.router.add_post(r"/notifications/{id:\d{1,9}}/read", mark_read)
    console.router.add_post("/notifications/read-all", mark_all_read)
