"""Counting wrong verification answers or passwords on a row, atomically, and locking it at a
limit."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Customer, Identity, Staff


async def count_failure(
    session: AsyncSession,
    counter: InstrumentedAttribute[int],
    row_id: int | None,
    max_attempts: int,
    lock_until: datetime,
) -> bool:
    """Add one to the row's `counter` of wrong answers (or passwords); returns True when this
    one locked the row.

    One UPDATE … RETURNING, so answers arriving at once through several processes all count.
    A `row_id` of None does the same work on no row, so an unknown order costs what a known
    one does.
    """
    model: type[Customer] | type[Identity] | type[Staff] = counter.class_
    failures = await session.scalar(
        update(model).where(model.id == row_id).values({counter: counter + 1}).returning(counter)
    )
    if failures is None or failures < max_attempts:
        return False
    await session.execute(
        update(model).where(model.id == row_id).values({counter: 0, model.locked_until: lock_until})
    )
    return True
