"""Counting wrong verification answers on a row, atomically, and locking it at a limit."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Identity


async def count_failure(
    session: AsyncSession,
    model: type[Customer] | type[Identity],
    row_id: int | None,
    max_attempts: int,
    lock_until: datetime,
) -> bool:
    """Add one wrong answer to the row; returns True when this one locked it.

    One UPDATE … RETURNING, so answers arriving at once through several processes all count.
    A `row_id` of None does the same work on no row, so an unknown order costs what a known
    one does.
    """
    failures = await session.scalar(
        update(model)
        .where(model.id == row_id)
        .values(failed_verifications=model.failed_verifications + 1)
        .returning(model.failed_verifications)
    )
    if failures is None or failures < max_attempts:
        return False
    await session.execute(
        update(model)
        .where(model.id == row_id)
        .values(failed_verifications=0, locked_until=lock_until)
    )
    return True
