"""Orders as imported from a shop's system: parsing and validation of one JSON line."""

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.enums import OrderStatus

MAX_AMOUNT = Decimal(10) ** 10  # what Numeric(12, 2) holds
MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class ItemRecord:
    sku: str
    name: str
    qty: int
    price: Decimal


@dataclass(frozen=True)
class EventRecord:
    time: datetime
    location: str
    description: str


@dataclass(frozen=True)
class ShipmentRecord:
    carrier: str
    tracking_no: str
    shipped_at: datetime | None
    events: tuple[EventRecord, ...]


@dataclass(frozen=True)
class OrderRecord:
    order_no: str
    status: str
    created_at: datetime
    customer_name: str
    customer_phone: str
    items: tuple[ItemRecord, ...]
    total: Decimal
    paid_at: datetime | None
    shipment: ShipmentRecord | None
    delivered_at: datetime | None


def json_object(line: str) -> dict[str, Any]:
    """One line of JSON holding an object; raises ValueError saying what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error.msg}") from None
    except (ValueError, RecursionError):  # a number too long to convert, absurd nesting
        raise ValueError("invalid JSON: too deeply nested or a number too long") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def parse_order_line(line: str) -> OrderRecord:
    """Parse one JSON line of an order export; raises ValueError saying what is wrong."""
    data = json_object(line)
    order_no = text_field(data, "order_no")
    status = text_field(data, "status")
    if status not in tuple(OrderStatus):
        raise ValueError(f"unknown status {status!r}")
    customer = data.get("customer")
    if not isinstance(customer, dict):
        raise ValueError("missing customer")
    items = data.get("items") or []
    if not isinstance(items, list):
        raise ValueError("items must be a list")
    return OrderRecord(
        order_no=order_no.strip().upper(),
        status=status,
        created_at=_time(data, "created_at"),
        customer_name=text_field(customer, "name", required=False),
        customer_phone=_phone(customer),
        items=tuple(_item(item) for item in items),
        total=money_field(data, "total"),
        paid_at=_time(data, "paid_at", required=False),
        shipment=_shipment(data.get("shipment")),
        delivered_at=_time(data, "delivered_at", required=False),
    )


def text_field(data: dict[str, Any], key: str, required: bool = True) -> str:
    """The stripped string at `key` ("" when absent and not required); else ValueError."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    value = (value or "").strip()
    if not value and required:
        raise ValueError(f"missing {key}")
    return value


def _time(data: dict[str, Any], key: str, required: bool = True) -> datetime | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ValueError(f"missing {key}")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"bad time in {key}: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"time in {key} has no UTC offset: {value!r}")
    return parsed


def money_field(data: dict[str, Any], key: str) -> Decimal:
    """An amount of money at `key`, to the fen, as Numeric(12, 2) holds it; else ValueError."""
    value = data.get(key, "0")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"bad amount in {key}: {value!r}") from None
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise ValueError(f"bad amount in {key}: {value!r}")
    return amount


def _phone(customer: dict[str, Any]) -> str:
    phone = "".join(ch for ch in text_field(customer, "phone") if ch in "0123456789")
    if len(phone) < 4:
        raise ValueError("customer phone needs at least 4 digits")
    return phone


def _item(item: Any) -> ItemRecord:
    if not isinstance(item, dict):
        raise ValueError("each item must be an object")
    qty = item.get("qty", 1)
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
        raise ValueError(f"bad qty {qty!r}")
    return ItemRecord(
        sku=text_field(item, "sku", required=False),
        name=text_field(item, "name"),
        qty=qty,
        price=money_field(item, "price"),
    )


def _shipment(data: Any) -> ShipmentRecord | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("shipment must be an object")
    events = data.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ValueError("shipment events must be a list of objects")
    return ShipmentRecord(
        carrier=text_field(data, "carrier"),
        tracking_no=text_field(data, "tracking_no").upper(),
        shipped_at=_time(data, "shipped_at", required=False),
        events=tuple(
            EventRecord(
                time=_time(e, "time"),  # type: ignore[arg-type]
                location=text_field(e, "location", required=False),
                description=text_field(e, "description"),
            )
            for e in events
        ),
    )
