"""Failed verifications counted per source and overall, in a fixed window, atomically."""

from datetime import datetime, timedelta

from sqlalchemy import case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import VerificationLimit
from storage.repositories.dialect import insert_for
from storage.types import UTCDateTime

# The key counting every chat's failures together.
GLOBAL = "global"


def address_key(address: str) -> str:
    """The key counting failures from one client address."""
    return f"address:{address}"[:100]


class VerificationLimitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def locked_until(self, key: str, now: datetime) -> datetime | None:
        """Until when this source is refused; None when it is not."""
        until = await self._session.scalar(
            select(VerificationLimit.locked_until).where(VerificationLimit.key == key)
        )
        return until if until is not None and until > now else None

    async def failures(self, key: str, now: datetime, window: timedelta) -> int:
        """This source's failures in its current window."""
        row = (
            await self._session.execute(
                select(VerificationLimit.failures, VerificationLimit.window_started_at).where(
                    VerificationLimit.key == key
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
        window and so locked the source (0 counts nothing).

        One UPDATE … RETURNING, so failures arriving at once through several processes all
        count and only one of them locks (and alerts).
        """
        if max_failures <= 0:
            return False
        insert = insert_for(self._session)
        await self._session.execute(
            insert(VerificationLimit)
            .values(key=key, failures=0, window_started_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        stale = VerificationLimit.window_started_at <= now - window
        failures = await self._session.scalar(
            update(VerificationLimit)
            .where(VerificationLimit.key == key)
            .values(
                failures=case((stale, 1), else_=VerificationLimit.failures + 1),
                window_started_at=case(
                    (stale, literal(now, UTCDateTime())),
                    else_=VerificationLimit.window_started_at,
                ),
            )
            .returning(VerificationLimit.failures)
            .execution_options(synchronize_session=False)
        )
        if failures != max_failures:
            return False
        # A fresh window from the lock on: failures after it count towards the next one.
        await self._session.execute(
            update(VerificationLimit)
            .where(VerificationLimit.key == key)
            .values(failures=0, window_started_at=now, locked_until=now + lock)
            .execution_options(synchronize_session=False)
        )
        return True
