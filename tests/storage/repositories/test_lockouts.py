"""count_failure: wrong answers counted on a row, atomically, and a lock at the limit."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Staff
from storage.repositories import Repositories
from storage.repositories.lockouts import count_failure
from tests.support.factories import add_customer, add_staff


async def test_the_answer_at_the_limit_locks_and_the_count_starts_again(
    session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    until = now + timedelta(minutes=10)

    locked = [
        await count_failure(session, Customer.failed_verifications, customer.id, 2, until)
        for _ in range(3)
    ]
    await session.refresh(customer)

    assert locked == [False, True, False]
    assert (customer.failed_verifications, customer.locked_until) == (1, until)


async def test_only_the_row_named_counts(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    counted = await add_staff(repos, now=now)
    other = await add_staff(repos, now=now)

    await count_failure(session, Staff.failed_logins, counted.id, 5, now)
    await count_failure(session, Staff.failed_logins, None, 5, now)  # nobody: counts nothing
    await session.refresh(counted)
    await session.refresh(other)

    assert (counted.failed_logins, other.failed_logins) == (1, 0)


async def test_no_row_never_locks(session: AsyncSession, now: datetime) -> None:
    locked = await count_failure(session, Customer.failed_verifications, None, 1, now)

    assert locked is False
