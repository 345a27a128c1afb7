"""Customers, and the count of wrong phone digits given for their orders."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_locked(self, customer_id: int, now: datetime) -> bool:
        """True while this customer's orders refuse every verification."""
        customer = await self._session.get(Customer, customer_id)
        return (
            customer is not None
            and customer.locked_until is not None
            and (customer.locked_until > now)
        )

    async def record_failed_verification(
        self, customer_id: int, max_attempts: int, lock_until: datetime
    ) -> None:
        """Count a wrong answer for this customer's orders; lock them at `max_attempts`."""
        customer = await self._session.get(Customer, customer_id)
        if customer is None:
            return
        customer.failed_verifications += 1
        if customer.failed_verifications >= max_attempts:
            customer.locked_until = lock_until
            customer.failed_verifications = 0
        await self._session.flush()

    async def clear_failed_verifications(self, customer_id: int) -> None:
        customer = await self._session.get(Customer, customer_id)
        if customer is not None and customer.failed_verifications:
            customer.failed_verifications = 0
            await self._session.flush()
