"""Live updates for the console: a server-sent event stream that says when something changed.

The stream does not carry the change itself: when the database says something changed (on
PostgreSQL, from any process: bot/console/changes.py), or every `POLL_SECONDS` where it cannot,
it reads a cheap summary of the conversations (the newest message id, who holds what, the
viewed conversation's undelivered replies) and sends a `changed` event when the summary
differs; the page then fetches the part it shows. Reading the database rather than a signal
inside this process keeps it working with several bot processes on one PostgreSQL.

    retry: 3000

    event: ready
    data: {"message_id": 41}

    event: changed
    data: {"message_id": 42}

    : ping
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.console.auth import SEEN_EVERY
from bot.console.changes import DatabaseChanges
from bot.console.services import SERVICES
from bot.console.signed_in import SignedIn, signed_in
from bot.desk import staff_sessions
from bot.desk.live_state import State, live_state
from bot.desk.unit_of_work import Sessions

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
# While the database notifies of changes, a look now and then in case a notice was lost.
NOTIFIED_POLL_SECONDS = 10.0
HEARTBEAT_SECONDS = 15.0
# How long a browser waits before it reconnects a dropped stream.
RETRY_MILLISECONDS = 3000

# Set when the application shuts down: open streams end instead of holding the server up.
STOPPING: web.AppKey[asyncio.Event] = web.AppKey("live_stopping", asyncio.Event)
CHANGES: web.AppKey[DatabaseChanges] = web.AppKey("live_changes", DatabaseChanges)


def event(name: str, state: State | None) -> bytes:
    data = json.dumps({"message_id": state[0] if state else 0})
    return f"event: {name}\ndata: {data}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    """GET /console/api/events[?conversation=ID]: the event stream for one console page."""
    conversation_id = _conversation_id(request)
    services = request.config_dict[SERVICES]
    stopping = request.config_dict[STOPPING]
    changes = request.config_dict[CHANGES]
    seen = changes.count
    staff = signed_in(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            # Proxies (nginx) must pass each event on at once rather than buffer the stream.
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    state = await _state(services.sessions, conversation_id)
    marked_at = services.clock.now()  # the sign-in check has just marked the agent as seen
    last_write = loop.time()
    try:
        await response.write(f"retry: {RETRY_MILLISECONDS}\n\n".encode())
        await response.write(event("ready", state))
        while not stopping.is_set() and _connected(request):
            seen = await changes.wait(
                seen, NOTIFIED_POLL_SECONDS if changes.listening else POLL_SECONDS
            )
            if stopping.is_set() or not _connected(request):
                break
            now = services.clock.now()
            if now - marked_at >= SEEN_EVERY:
                # An open console counts as online: queued chats are assigned to this agent.
                if not await _still_allowed(services.sessions, staff, now):
                    break
                marked_at = now
            fresh = await _state(services.sessions, conversation_id)
            if fresh is not None and fresh != state:
                state = fresh
                await response.write(event("changed", state))
                last_write = loop.time()
            elif loop.time() - last_write >= HEARTBEAT_SECONDS:
                # A comment keeps proxies from closing an idle stream and finds dead clients.
                await response.write(b": ping\n\n")
                last_write = loop.time()
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
    except ConnectionError:
        pass  # the page was closed
    return response


def _conversation_id(request: web.Request) -> int | None:
    raw = request.query.get("conversation")
    if raw is None or raw == "":
        return None
    if not raw.isdecimal() or len(raw) > 9:
        raise web.HTTPBadRequest(text="conversation 参数必须是会话编号")
    return int(raw)


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


async def _state(sessions: Sessions, conversation_id: int | None) -> State | None:
    """The current state; None while the database cannot be read (the stream waits it out)."""
    try:
        return await live_state(sessions, conversation_id)
    except SQLAlchemyError:
        log.warning("console events: reading the state failed", exc_info=True)
        return None


async def _still_allowed(sessions: Sessions, signed: SignedIn, now: datetime) -> bool:
    """Mark the agent as seen; False when the account was disabled or signed out meanwhile."""
    try:
        return await staff_sessions.mark_seen(sessions, signed.id, signed.session_epoch, now)
    except SQLAlchemyError:
        log.warning("console events: marking the agent as seen failed", exc_info=True)
    return True


async def _stop_streams(app: web.Application) -> None:
    app[STOPPING].set()
    app[CHANGES].changed()  # wakes the waiting streams, which then see `STOPPING`


async def _listening(app: web.Application) -> AsyncIterator[None]:
    """While the application runs, hear the database's change notices (PostgreSQL only)."""
    url = app[SERVICES].settings.database_url
    task = None
    if make_url(url).get_backend_name() == "postgresql":
        task = asyncio.create_task(app[CHANGES].listen(url, app[STOPPING]))
    yield
    if task is not None:
        app[STOPPING].set()
        await task


def add_routes(app: web.Application) -> None:
    app[STOPPING] = asyncio.Event()
    app[CHANGES] = DatabaseChanges()
    app.on_shutdown.append(_stop_streams)
    app.cleanup_ctx.append(_listening)
    app.router.add_get("/api/events", events)
