"""Orders with their items, shipment and tracking events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core.enums import OrderStatus
from storage.models import (
    Conversation,
    Customer,
    FollowUp,
    Identity,
    Order,
    OrderItem,
    Product,
    Shipment,
    TrackingEvent,
)
from storage.order_records import OrderRecord

_FULL = (
    selectinload(Order.items),
    selectinload(Order.shipment).selectinload(Shipment.events),
)


@dataclass(frozen=True)
class OrderOwner:
    """Who an order belongs to: all that verification needs, and nothing to show."""

    order_no: str
    customer_id: int
    phone: str


@dataclass(frozen=True)
class ListedOrder:
    """One line of a list of orders, with its customer."""

    order_no: str
    status: str
    total: Decimal
    created_at: datetime
    customer_name: str
    phone: str
    tracking_no: str | None


@dataclass(frozen=True)
class CustomerChat:
    """A chat verified as a customer's, with its conversation when there is one."""

    identity_id: int
    channel: str
    external_id: str
    conversation_id: int | None


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_number(self, order_no: str) -> Order | None:
        """An order with items, shipment and events loaded; order numbers ignore case."""
        return await self._session.scalar(
            select(Order).where(Order.order_no == order_no.upper()).options(*_FULL)
        )

    async def owner(self, reference: str) -> OrderOwner | None:
        """The owner of the order with this order or tracking number, in one query."""
        reference = reference.upper()
        row = (
            await self._session.execute(
                select(Order.order_no, Order.customer_id, Customer.phone)
                .join(Customer, Customer.id == Order.customer_id)
                .outerjoin(Shipment, Shipment.order_id == Order.id)
                .where(or_(Order.order_no == reference, Shipment.tracking_no == reference))
                .order_by(Order.order_no != reference)
                .limit(1)
            )
        ).first()
        return None if row is None else OrderOwner(*row)

    async def recent_for_customer(
        self, customer_id: int, limit: int = 5, details: bool = True
    ) -> Sequence[Order]:
        """The customer's newest orders first; with `details` their items and parcels too."""
        query = (
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
        result = await self._session.scalars(query.options(*_FULL) if details else query)
        return result.all()

    async def newest(self, limit: int, reference: str = "") -> Sequence[ListedOrder]:
        """The newest orders first; with `reference`, those whose order or tracking number
        contains it (case ignored)."""
        query = (
            select(
                Order.order_no,
                Order.status,
                Order.total,
                Order.created_at,
                Customer.name,
                Customer.phone,
                Shipment.tracking_no,
            )
            .join(Customer, Customer.id == Order.customer_id)
            .outerjoin(Shipment, Shipment.order_id == Order.id)
        )
        if reference:
            reference = reference.upper()
            query = query.where(
                or_(
                    Order.order_no.contains(reference, autoescape=True),
                    Shipment.tracking_no.contains(reference, autoescape=True),
                )
            )
        rows = await self._session.execute(
            query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
        )
        return [ListedOrder(*row) for row in rows.all()]

    async def customer(self, order: Order) -> Customer:
        """The customer the order belongs to."""
        customer = await self._session.get(Customer, order.customer_id)
        assert customer is not None  # a foreign key
        return customer

    async def customer_chats(self, customer_id: int) -> Sequence[CustomerChat]:
        """The chats verified as this customer's, the most recently active first."""
        rows = await self._session.execute(
            select(Identity.id, Identity.channel, Identity.external_id, Conversation.id)
            .outerjoin(Conversation, Conversation.identity_id == Identity.id)
            .where(Identity.customer_id == customer_id)
            .order_by(Conversation.updated_at.desc().nulls_last(), Identity.id.desc())
        )
        return [CustomerChat(*row) for row in rows.all()]

    async def followups(self, order_id: int) -> Sequence[FollowUp]:
        """The follow-ups scheduled for an order, the latest due first."""
        result = await self._session.scalars(
            select(FollowUp)
            .where(FollowUp.order_id == order_id)
            .order_by(FollowUp.due_at.desc(), FollowUp.id.desc())
            # Statuses as stored now, though the rows were read before in this session.
            .execution_options(populate_existing=True)
        )
        return result.all()

    async def set_shipment(
        self, order: Order, carrier: str, tracking_no: str, now: datetime
    ) -> bool:
        """Record the order's parcel and mark the order shipped; False when it said so already.

        `order` needs its shipment and events loaded. A parcel is shipped `now` unless it had a
        time already (a corrected number keeps it); a new tracking number drops the events,
        which were about another parcel.
        """
        shipment = order.shipment
        if (
            shipment is not None
            and (shipment.carrier, shipment.tracking_no) == (carrier, tracking_no)
            and order.status == OrderStatus.SHIPPED
        ):
            return False
        if shipment is None:
            shipment = Shipment(events=[])
            order.shipment = shipment
        elif shipment.tracking_no != tracking_no:
            shipment.events = []
        shipment.carrier = carrier
        shipment.tracking_no = tracking_no
        shipment.shipped_at = shipment.shipped_at or now
        order.status = OrderStatus.SHIPPED
        await self._session.flush()
        return True

    async def mark_delivered(self, order: Order, now: datetime) -> bool:
        """Mark the order delivered `now`; False when it was delivered already."""
        if order.status == OrderStatus.DELIVERED:
            return False
        order.status = OrderStatus.DELIVERED
        order.delivered_at = now
        await self._session.flush()
        return True

    async def upsert(self, record: OrderRecord) -> bool:
        """Insert or update an order by number; returns True when it was new.

        Tracking events are appended; an event already stored is not duplicated.
        """
        customer = await self._customer_for(record)
        order = await self.by_number(record.order_no)
        created = order is None
        if order is None:
            order = Order(order_no=record.order_no, items=[])
            self._session.add(order)
        order.customer_id = customer.id
        order.status = record.status
        order.total = record.total
        order.created_at = record.created_at
        order.paid_at = record.paid_at
        order.delivered_at = record.delivered_at
        order.items = [
            OrderItem(sku=i.sku, name=i.name, qty=i.qty, price=i.price) for i in record.items
        ]
        for item in record.items:
            if item.sku:
                await self._ensure_product(item.sku, item.name)
        if record.shipment is not None:
            self._apply_shipment(order, record, created)
        await self._session.flush()
        return created

    def _apply_shipment(self, order: Order, record: OrderRecord, created: bool) -> None:
        data = record.shipment
        assert data is not None
        shipment = None if created else order.shipment
        if shipment is None:
            shipment = Shipment(events=[])
            order.shipment = shipment
        shipment.carrier = data.carrier
        shipment.tracking_no = data.tracking_no
        shipment.shipped_at = data.shipped_at
        known = {(e.time.astimezone(UTC), e.description) for e in shipment.events}
        for event in data.events:
            key = (event.time.astimezone(UTC), event.description)
            if key not in known:
                known.add(key)
                shipment.events.append(
                    TrackingEvent(
                        time=event.time, location=event.location, description=event.description
                    )
                )
        shipment.events.sort(key=lambda e: e.time)

    async def _ensure_product(self, sku: str, name: str) -> None:
        """Products are known from the orders that sell them, returnable unless marked."""
        exists = await self._session.scalar(select(Product.id).where(Product.sku == sku))
        if exists is None:
            self._session.add(Product(sku=sku, name=name, non_returnable=False))
            await self._session.flush()

    async def _customer_for(self, record: OrderRecord) -> Customer:
        customer = await self._session.scalar(
            select(Customer).where(Customer.phone == record.customer_phone)
        )
        if customer is None:
            customer = Customer(
                name=record.customer_name,
                phone=record.customer_phone,
                created_at=record.created_at,
            )
            self._session.add(customer)
            await self._session.flush()
        elif record.customer_name:
            customer.name = record.customer_name
        return customer
