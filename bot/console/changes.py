"""Word of database changes from every process, so the console's streams need not poll.

On PostgreSQL, triggers (migration 0006) NOTIFY `kefu_changes` whenever a message, a
conversation, a handover or an outbox row changes, in whichever process wrote it. One
connection per process LISTENs and wakes every open console stream, which then reads what
changed. On SQLite (one process), and while that connection is down, the streams poll.
"""

import asyncio
import contextlib
import logging

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANNEL = "kefu_changes"
RECONNECT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 5.0


class DatabaseChanges:
    """A count of the changes heard, and a way to wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self.listening = False
        self._next = asyncio.Event()

    def changed(self) -> None:
        """Count a change and wake everyone waiting for one."""
        self.count += 1
        woken, self._next = self._next, asyncio.Event()
        woken.set()

    async def wait(self, seen: int, seconds: float) -> int:
        """The count, once it has moved past `seen` or after `seconds`."""
        if self.count == seen:
            await pause(self._next, seconds)
        return self.count

    async def listen(self, database_url: str, stopping: asyncio.Event) -> None:
        """Hear the database's notifications until `stopping`, reconnecting when cut off."""
        dsn = make_url(database_url).set(drivername="postgresql")
        while not stopping.is_set():
            try:
                connection = await asyncpg.connect(
                    dsn.render_as_string(hide_password=False), timeout=CONNECT_TIMEOUT_SECONDS
                )
            except (OSError, TimeoutError, asyncpg.PostgresError):
                log.warning("console changes: cannot listen to the database; retrying")
            else:
                await self._hear(connection, stopping)
            await pause(stopping, RECONNECT_SECONDS)

    async def _hear(self, connection: asyncpg.Connection, stopping: asyncio.Event) -> None:
        try:
            await connection.add_listener(CHANNEL, lambda *_: self.changed())
            self.listening = True
            self.changed()  # anything may have changed while nobody listened
            while not stopping.is_set() and not connection.is_closed():
                await pause(stopping, 1.0)
        except (OSError, asyncpg.PostgresError):
            log.warning("console changes: the listening connection failed", exc_info=True)
        finally:
            self.listening = False
            with contextlib.suppress(Exception):
                await connection.close(timeout=CONNECT_TIMEOUT_SECONDS)


async def pause(event: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when the event is set (a change, or the application stopping)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
