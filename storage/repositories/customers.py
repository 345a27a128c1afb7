"""Customers, and the count of wrong phone digits given for their orders."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.enums import ACTIVE_TICKET_STATUSES, Direction, FollowUpKind, FollowUpStatus, OrderStatus
from storage.models import Conversation, Customer, FollowUp, Identity, Message, Order, Ticket
from storage.repositories.lockouts import count_failure

# Orders that were paid for and not given back: what a customer has bought.
BOUGHT_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class OrderTotals:
    """All a customer's orders in any status, and the money of those bought, ever."""

    placed: int
    spent: Decimal
    first_ordered: datetime | None


@dataclass(frozen=True)
class ContactTimes:
    """The first message in or out of a customer's chats, and their own latest one."""

    first_message: datetime | None
    last_from_customer: datetime | None


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

    async def by_id(self, customer_id: int) -> Customer | None:
        return await self._session.get(Customer, customer_id)

    async def order_totals(self, customer_id: int) -> OrderTotals:
        """Orders placed ever, the money of those bought (as `spending` counts them), and
        when the first was placed."""
        bought = Order.status.in_(BOUGHT_STATUSES)
        placed, spent, first = (
            await self._session.execute(
                select(
                    func.count(Order.id),
                    func.coalesce(func.sum(case((bought, Order.total), else_=0)), 0),
                    func.min(Order.created_at),
                ).where(Order.customer_id == customer_id)
            )
        ).one()
        return OrderTotals(placed, Decimal(spent).quantize(Decimal("0.01")), first)

    async def chats(self, customer_id: int) -> list[tuple[Identity, int | None]]:
        """The chat identities verified as this customer's with their conversation's id (if
        one was started), the oldest first."""
        rows = await self._session.execute(
            select(Identity, Conversation.id)
            .outerjoin(Conversation, Conversation.identity_id == Identity.id)
            .where(Identity.customer_id == customer_id)
            .order_by(Identity.created_at, Identity.id)
        )
        return [(identity, conversation_id) for identity, conversation_id in rows.all()]

    async def tickets(self, customer_id: int, limit: int) -> Sequence[Ticket]:
        """The customer's newest tickets, those opened from their chats before they were
        verified included."""
        result = await self._session.scalars(
            select(Ticket)
            .where(_belongs_to(customer_id, Ticket.customer_id, Ticket.identity_id))
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
        return result.all()

    async def open_ticket_count(self, customer_id: int) -> int:
        """The customer's tickets that still need work."""
        count = await self._session.scalar(
            select(func.count(Ticket.id)).where(
                _belongs_to(customer_id, Ticket.customer_id, Ticket.identity_id),
                Ticket.status.in_(ACTIVE_TICKET_STATUSES),
            )
        )
        return count or 0

    async def visit_ratings(self, customer_id: int) -> Sequence[tuple[int, datetime]]:
        """The ratings the customer gave satisfaction visits, and when, the newest first.
        Visits come at most once a week, so a customer has few."""
        rows = await self._session.execute(
            select(FollowUp.rating, FollowUp.answered_at)
            .where(
                _belongs_to(customer_id, FollowUp.customer_id, FollowUp.identity_id),
                FollowUp.kind == FollowUpKind.VISIT,
                FollowUp.status == FollowUpStatus.ANSWERED,
                FollowUp.rating.is_not(None),
            )
            .order_by(FollowUp.answered_at.desc(), FollowUp.id.desc())
        )
        return [(rating, answered_at) for rating, answered_at in rows.all()]

    async def contact_times(self, customer_id: int) -> ContactTimes:
        """When the customer's chats first had a message, and when they last wrote."""
        incoming = Message.direction == Direction.IN
        first, last = (
            await self._session.execute(
                select(
                    func.min(Message.created_at),
                    func.max(case((incoming, Message.created_at))),
                ).where(Message.identity_id.in_(_chat_ids(customer_id)))
            )
        ).one()
        return ContactTimes(first, last)

    async def ordered_since(self, since: datetime) -> dict[int, datetime]:
        """customer id → when they last ordered, for those who ordered since a time."""
        rows = await self._session.execute(
            select(Order.customer_id, func.max(Order.created_at))
            .where(Order.created_at >= since)
            .group_by(Order.customer_id)
        )
        return {customer_id: ordered for customer_id, ordered in rows.all()}


def _chat_ids(customer_id: int) -> Select[tuple[int]]:
    return select(Identity.id).where(Identity.customer_id == customer_id)


def _belongs_to(
    customer_id: int,
    row_customer: InstrumentedAttribute[int | None],
    row_identity: InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """Rows for the customer, or for none yet from one of their chats (a ticket opened
    before the chat was verified); a chat verified as someone else since keeps theirs."""
    return or_(
        row_customer == customer_id,
        and_(row_customer.is_(None), row_identity.in_(_chat_ids(customer_id))),
    )
