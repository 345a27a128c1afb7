"""The key under which console routes find the running services."""

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import Services

SERVICES: web.AppKey["Services"] = web.AppKey("services")
