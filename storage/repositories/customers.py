"""Customers, and the count of wrong phone digits given for their orders."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Order
from storage.repositories.lockouts import count_failure

# Orders that were paid for and not given back: what a customer has bought.
BOUGHT_STATUSES = ("paid", "shipped", "delivered")


@dataclass(frozen=True)
class Spending:
    """What one customer has bought: orders ever, and orders and money since a time."""

    orders: int
    recent_orders: int
    recent_spent: Decimal


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

    async def spending(
        self, since: datetime, customer_ids: Collection[int] | None = None
    ) -> dict[int, Spending]:
        """Bought orders per customer (all customers, or these), and those since `since`;
        customers without any are left out."""
        recent = Order.created_at >= since
        query = (
            select(
                Order.customer_id,
                func.count(Order.id),
                func.count(case((recent, Order.id))),
                func.coalesce(func.sum(case((recent, Order.total), else_=0)), 0),
            )
            .where(Order.status.in_(BOUGHT_STATUSES))
            .group_by(Order.customer_id)
        )
        if customer_ids is not None:
            query = query.where(Order.customer_id.in_(list(customer_ids)))
        rows = await self._session.execute(query)
        return {
            customer_id: Spending(orders, recent_orders, Decimal(spent).quantize(Decimal("0.01")))
            for customer_id, orders, recent_orders, spent in rows
        }
