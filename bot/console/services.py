"""The key under which console routes find the running services."""

from aiohttp import web

from bot.services import Services

SERVICES: web.AppKey[Services] = web.AppKey("services")
