"""Signed callback URLs bound to the one message each carried.

The Official Account's plain mode signs only the URL's timestamp and nonce, not the body: one
signed URL, seen in a proxy's log say, would otherwise carry any message from anyone for as long
as its timestamp is accepted. The first message a URL carries is remembered in the database, so
every bot process on it agrees; WeChat's retries of that same message still pass, and the
assistant answers them once (it deduplicates by message id).
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from storage.repositories import Repositories


def _digest(parts: Iterable[str]) -> str:
    # As a JSON list: no two different lists of parts read the same.
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()


class ReplayGuard:
    """Admits a signed URL for its first message only, while its timestamp is accepted."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        channel: str,
        accepted_for: timedelta,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._channel = channel
        # Twice the window: a process whose clock runs a little behind still finds the URL.
        self._kept_for = 2 * accepted_for
        self._next_cleanup = clock.now()

    async def admits(
        self, signed_at: datetime, signed: Iterable[str], message: Iterable[str]
    ) -> bool:
        """True the first time the URL (`signed`: timestamp, nonce, signature) is used, and
        when it carries the same `message` again (what the platform's retries share)."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            channels = Repositories.for_session(session).channels
            admitted = await channels.use_signed_request(
                self._channel, _digest(signed), _digest(message), signed_at + self._kept_for
            )
            # Now and then, not on every message: processes rarely delete at the same time.
            if now >= self._next_cleanup:
                await channels.forget_signed_requests(now)
                self._next_cleanup = now + self._kept_for
        return admitted
