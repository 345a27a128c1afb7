"""Wrong answers counted per source in a fixed window, atomically, with a lock at a limit:
console sign-ins per address, phone digits per address and from all chats together."""

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FailureCount
from storage.repositories.dialect import insert_for
from storage.types import UTCDateTime

KEY_CHARS = 100
# Families of keys; a count is `family:source`.
LOGIN = "login"
VERIFY = "verify"
# Every chat's wrong digits together (no address has a space in it).
VERIFY_ALL = f"{VERIFY}:all chats"


def source_key(family: str, source: str) -> str:
    """The key counting one source's failures in a family."""
    return f"{family}:{source}"[:KEY_CHARS]


class FailureCountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def locked_until(self, key: str, now: datetime) -> datetime | None:
        """Until when this source is refused; None when it is not."""
        until = await self._session.scalar(
            select(FailureCount.locked_until).where(FailureCount.key == key)
        )
        return until if until is not None and until > now else None

    async def failures(self, key: str, now: datetime, window: timedelta) -> int:
        """This source's failures in its current window."""
        row = (
            await self._session.execute(
                select(FailureCount.failures, FailureCount.window_started_at).where(
                    FailureCount.key == key
                )
            )
        ).one_or_none()
        if row is None or row.window_started_at <= now - window:
            return 0
        return row.failures

    async def count_failure(
        self, key: str, now: datetime, window: timedelta, max_failures: int, lock: timedelta
    ) -> bool:
        """Count one failure; True when it is the one that reached `max_failures` in the
        window and so locked the source for `lock` (0 counts nothing).

        One INSERT … ON CONFLICT … RETURNING, so failures arriving at once through several
        processes all count and only one of them locks (and alerts).
        """
        if max_failures <= 0:
            return False
        stale = FailureCount.window_started_at <= now - window
        statement = insert_for(self._session)(FailureCount).values(
            key=key, failures=1, window_started_at=now, locked_until=None
        )
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((stale, 1), else_=FailureCount.failures + 1),
                "window_started_at": case(
                    (stale, literal(now, UTCDateTime())), else_=FailureCount.window_started_at
                ),
            },
        ).returning(FailureCount.failures)
        failures = await self._session.scalar(statement)
        # The family's counts nobody added to for a whole window are forgotten: the table
        # stays small. (Other families count in windows of their own.)
        family = key.split(":", 1)[0]
        await self._session.execute(
            delete(FailureCount).where(
                FailureCount.key.startswith(f"{family}:", autoescape=True),
                stale,
                FailureCount.locked_until.is_(None) | (FailureCount.locked_until <= now),
            )
        )
        if failures != max_failures:
            return False
        # A fresh window from the lock on: failures after it count towards the next one.
        await self._session.execute(
            update(FailureCount)
            .where(FailureCount.key == key)
            .values(failures=0, window_started_at=now, locked_until=now + lock)
            .execution_options(synchronize_session=False)
        )
        return True
