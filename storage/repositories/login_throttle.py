"""Wrong console sign-ins per network address: counted in the database, so every process
serving the console sees the same count."""

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginThrottle
from storage.repositories.dialect import insert_for
from storage.types import UTCDateTime

MAX_ADDRESS_CHARS = 64


class LoginThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def blocked(self, address: str, now: datetime) -> bool:
        """True while the address is refused for too many wrong sign-ins."""
        until = await self._session.scalar(
            select(LoginThrottle.blocked_until).where(
                LoginThrottle.address == address[:MAX_ADDRESS_CHARS]
            )
        )
        return until is not None and until > now

    async def count_failure(
        self, address: str, now: datetime, window: timedelta, max_failures: int
    ) -> bool:
        """Add one wrong sign-in from the address; True when this one blocked it (for
        `window`).

        One INSERT … ON CONFLICT … RETURNING, so attempts reaching several processes at once
        all count; a count older than `window` starts again at one.
        """
        address = address[:MAX_ADDRESS_CHARS]
        stale = LoginThrottle.window_started_at <= now - window
        statement = insert_for(self._session)(LoginThrottle).values(
            address=address, failures=1, window_started_at=now, blocked_until=None
        )
        statement = statement.on_conflict_do_update(
            index_elements=["address"],
            set_={
                "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case(
                    (stale, literal(now, UTCDateTime())), else_=LoginThrottle.window_started_at
                ),
            },
        ).returning(LoginThrottle.failures)
        failures = await self._session.scalar(statement)
        # Counts nobody added to for a whole window are forgotten: the table stays small.
        await self._session.execute(
            delete(LoginThrottle).where(
                stale,
                (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until <= now),
            )
        )
        if failures is None or failures < max_failures:
            return False
        await self._session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.address == address)
            .values(failures=0, window_started_at=now, blocked_until=now + window)
        )
        return True
