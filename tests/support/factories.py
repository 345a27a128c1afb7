"""Record factories for tests: each stores one row (or a few that belong together) through
the repositories where they have a method for it, with defaults a test overrides by keyword."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import (
    ChannelName,
    FollowUpKind,
    OrderStatus,
    StaffRole,
    TicketKind,
    TicketStatus,
)
from storage.models import Conversation, Customer, FollowUp, Identity, Order, Staff, Ticket
from storage.order_records import ItemRecord, OrderRecord, ShipmentRecord
from storage.repositories import Repositories

# The fake clock's starting time in tests/conftest.py (11:00 in Shanghai).
AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Chat:
    """A chat identity with its conversation."""

    identity: Identity
    conversation: Conversation


def unique(prefix: str = "") -> str:
    """A short text no other call returns: keeps unique columns apart between factories."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def unique_phone() -> str:
    """An 11-digit mobile number no other call returns (as stored: digits only)."""
    return f"166{uuid.uuid4().int % 10**8:08d}"


async def add_customer(
    session: AsyncSession,
    *,
    name: str = "张三",
    phone: str | None = None,
    created_at: datetime = AT,
) -> Customer:
    """A customer with no orders: no repository adds one (importing orders does)."""
    customer = Customer(
        name=name, phone=phone or unique_phone(), created_at=created_at, failed_verifications=0
    )
    session.add(customer)
    await session.flush()
    return customer


async def add_chat(
    repos: Repositories,
    *,
    channel: str = ChannelName.WEB,
    external_id: str | None = None,
    customer: Customer | None = None,
    now: datetime = AT,
) -> Chat:
    """A chat identity (bound to `customer` when given) and its conversation."""
    identity = await repos.identities.get_or_create(channel, external_id or unique("user-"), now)
    if customer is not None:
        await repos.identities.bind(identity, customer.id)
    conversation = await repos.conversations.for_identity(identity.id, now)
    return Chat(identity, conversation)


async def add_order(
    repos: Repositories,
    customer: Customer,
    *,
    order_no: str | None = None,
    status: str = OrderStatus.PAID,
    total: Decimal | str = "168.00",
    created_at: datetime = AT,
    items: tuple[ItemRecord, ...] | None = None,
    carrier: str = "顺丰",
    tracking_no: str | None = None,
) -> Order:
    """An order of `customer` with one item by default, and a parcel when `tracking_no` is
    given; loaded with its items and shipment."""
    number = order_no or unique("T").upper()
    record = OrderRecord(
        order_no=number,
        status=status,
        created_at=created_at,
        customer_name=customer.name,
        customer_phone=customer.phone,
        items=items or (ItemRecord("SERUM-30", "烟酰胺精华液30ml", 1, Decimal(total)),),
        total=Decimal(total),
        paid_at=created_at if status != OrderStatus.PENDING_PAYMENT else None,
        shipment=(ShipmentRecord(carrier, tracking_no, created_at, ()) if tracking_no else None),
        delivered_at=None,
    )
    await repos.orders.upsert(record)
    order = await repos.orders.by_number(number)
    assert order is not None
    return order


async def add_ticket(
    repos: Repositories,
    chat: Chat,
    *,
    kind: str = TicketKind.AFTER_SALES,
    status: str = TicketStatus.OPEN,
    customer: Customer | None = None,
    order: Order | None = None,
    created_at: datetime = AT,
    prefix: str | None = "AS20261129-",
    response_within: timedelta = timedelta(hours=2),
    resolve_within: timedelta = timedelta(days=2),
    **fields: Any,
) -> Ticket:
    """A ticket opened from `chat` with the next number of `prefix` and its first history
    entry; deadlines count from `created_at`."""
    ticket = Ticket(
        kind=kind,
        status=status,
        identity_id=chat.identity.id,
        customer_id=customer.id if customer is not None else None,
        order_id=order.id if order is not None else None,
        first_response_due=created_at + response_within,
        resolution_due=created_at + resolve_within,
        created_at=created_at,
        updated_at=created_at,
        **fields,
    )
    return await repos.tickets.add(ticket, prefix=prefix)


async def add_staff(
    repos: Repositories,
    *,
    name: str | None = None,
    display_name: str = "小美",
    role: str = StaffRole.AGENT,
    password_hash: str = "hash",
    now: datetime = AT,
) -> Staff:
    """An active console account."""
    return await repos.staff.add(name or unique("agent-"), display_name, role, password_hash, now)


async def add_followup(
    repos: Repositories,
    chat: Chat,
    *,
    kind: str = FollowUpKind.MESSAGE,
    subject: str | None = None,
    due_at: datetime = AT,
    text: str = "您好，回访一下～",
    created_at: datetime = AT,
    **fields: Any,
) -> FollowUp:
    """A scheduled follow-up to `chat` (its subject unique unless given)."""
    subject = subject or unique(f"{kind}:")
    added = await repos.followups.schedule(
        kind=kind,
        subject=subject,
        identity_id=chat.identity.id,
        text=text,
        due_at=due_at,
        created_at=created_at,
        **fields,
    )
    assert added, f"a follow-up with subject {subject!r} exists already"
    followup = await repos.followups.by_subject(subject)
    assert followup is not None
    return followup
