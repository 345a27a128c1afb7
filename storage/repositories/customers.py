"""Customers, and the count of wrong phone digits given for their orders."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer
from storage.repositories.lockouts import count_failure


class CustomerRepository:
    """Verification state of customers; a `customer_id` of None (an unknown order) costs the
    same queries and matches no row, so answers take as long whether an order exists or not."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def id_for_phone(self, phone: str) -> int | None:
        """The id of the customer with this phone number (digits only, as stored)."""
        return await self._session.scalar(select(Customer.id).where(Customer.phone == phone))

    async def is_locked(self, customer_id: int | None, now: datetime) -> bool:
        """True while this customer's orders refuse every verification."""
        locked_until = await self._session.scalar(
            select(Customer.locked_until).where(Customer.id == customer_id)
        )
        return locked_until is not None and locked_until > now

    async def record_failed_verification(
        self, customer_id: int | None, max_attempts: int, lock_until: datetime
    ) -> None:
        """Count a wrong answer for this customer's orders; lock them at `max_attempts`."""
        await count_failure(
            self._session, Customer.failed_verifications, customer_id, max_attempts, lock_until
        )

    async def clear_failed_verifications(self, customer_id: int) -> None:
        await self._session.execute(
            update(Customer).where(Customer.id == customer_id).values(failed_verifications=0)
        )
