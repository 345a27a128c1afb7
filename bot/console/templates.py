"""Rendering the console's Jinja2 templates: autoescaped, so customers' text is shown as text,
and every value cleaned of invisible characters (formatting.visible) on its way out."""

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.console.formatting import FILTERS, visible
from bot.console.session import csrf_token
from bot.console.signed_in import signed_in_or_none

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
# Unread staff notifications, counted for the navigation's badge (notifications.py).
UNREAD_NOTIFICATIONS: web.RequestKey[int] = web.RequestKey("unread_notifications", int)


def template_environment(zone: object) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Every {{ value }}, not a filter per place: no page can forget it.
        finalize=visible,
    )
    environment.filters.update(FILTERS)
    environment.globals["zone"] = zone
    return environment


def render_text(request: web.Request, name: str, context: dict[str, Any]) -> str:
    """A template (a page or a fragment) with the signed-in staff member, the CSRF token and
    the unread notifications' count."""
    values = {
        "staff": signed_in_or_none(request),
        "csrf_token": csrf_token(request),
        "unread_notifications": request.get(UNREAD_NOTIFICATIONS, 0),
        **context,
    }
    return request.config_dict[TEMPLATES].get_template(name).render(values)


def render(
    request: web.Request, name: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    """A console page."""
    html = render_text(request, name, context)
    return web.Response(text=html, content_type="text/html", status=status)
