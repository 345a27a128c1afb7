"""Parsing one line of an order export: what is accepted, and what a bad line is told."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import Services
from storage.demo import demo_orders
from storage.models import Order
from storage.order_records import (
    EventRecord,
    ItemRecord,
    OrderRecord,
    ShipmentRecord,
    parse_order_line,
)
from storage.repositories import Repositories
from tests.support.clock import START

SHANGHAI = timezone(timedelta(hours=8))
INJECTION = "' OR 1=1 --"


def example(**changes: Any) -> dict[str, Any]:
    """The issue's example order, with some fields changed."""
    data: dict[str, Any] = {
        "order_no": "KF20261120001",
        "status": "shipped",
        "created_at": "2026-11-20T10:00:00+08:00",
        "customer": {"name": "张三", "phone": "13800138000"},
        "items": [{"sku": "MASK-01", "name": "玻尿酸补水面膜", "qty": 2, "price": "59.00"}],
        "total": "118.00",
        "paid_at": "2026-11-20T10:01:00+08:00",
        "shipment": {
            "carrier": "顺丰速运",
            "tracking_no": "SF1234567890123",
            "shipped_at": "2026-11-21T09:00:00+08:00",
            "events": [
                {
                    "time": "2026-11-21T18:00:00+08:00",
                    "location": "广州",
                    "description": "快件已揽收",
                }
            ],
        },
        "delivered_at": None,
    }
    data.update(changes)
    return data


def parse(data: Any) -> OrderRecord:
    return parse_order_line(json.dumps(data, ensure_ascii=False))


def rejection(data: Any) -> str:
    """The message of the ValueError a line (or the JSON of an object) is rejected with."""
    line = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    with pytest.raises(ValueError) as error:
        parse_order_line(line)
    return str(error.value)


def test_a_good_line_with_every_field_is_parsed() -> None:
    record = parse(example(delivered_at="2026-11-23T15:00:00+08:00"))

    assert record == OrderRecord(
        order_no="KF20261120001",
        status="shipped",
        created_at=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI),
        customer_name="张三",
        customer_phone="13800138000",
        items=(ItemRecord("MASK-01", "玻尿酸补水面膜", 2, Decimal("59.00")),),
        total=Decimal("118.00"),
        paid_at=datetime(2026, 11, 20, 10, 1, tzinfo=SHANGHAI),
        shipment=ShipmentRecord(
            carrier="顺丰速运",
            tracking_no="SF1234567890123",
            shipped_at=datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI),
            events=(
                EventRecord(datetime(2026, 11, 21, 18, 0, tzinfo=SHANGHAI), "广州", "快件已揽收"),
            ),
        ),
        delivered_at=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
    )


def test_shipment_and_delivered_at_may_be_absent() -> None:
    data = example(status="paid")
    del data["shipment"], data["delivered_at"]

    record = parse(data)

    assert (record.shipment, record.delivered_at) == (None, None)


def test_shipment_and_delivered_at_may_be_null() -> None:
    record = parse(example(status="paid", shipment=None, delivered_at=None))

    assert (record.shipment, record.delivered_at) == (None, None)


def test_a_pending_order_needs_no_payment_time() -> None:
    assert parse(example(status="pending_payment", paid_at=None, shipment=None)).paid_at is None


@pytest.mark.parametrize(
    "status", ["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded"]
)
def test_every_documented_status_is_accepted(status: str) -> None:
    assert parse(example(status=status)).status == status


def test_numbers_and_phone_are_normalised() -> None:
    record = parse(
        example(
            order_no="  kf20261120001 ",
            customer={"name": " 张三 ", "phone": "+86 138-0013-8000"},
            shipment={**example()["shipment"], "tracking_no": "sf1234567890123"},
            total=118,
        )
    )

    assert record.order_no == "KF20261120001"
    assert record.customer_name == "张三"
    assert record.customer_phone == "8613800138000"
    assert record.shipment is not None
    assert record.shipment.tracking_no == "SF1234567890123"
    assert record.total == Decimal("118.00")


def test_times_in_utc_with_z_are_accepted() -> None:
    record = parse(example(created_at="2026-11-20T02:00:00Z"))

    assert record.created_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("not json", "invalid JSON"),
        ('{"order_no": "KF1", ', "invalid JSON"),
        ("", "invalid JSON"),
        ('["KF20261120001"]', "JSON object"),
        ("null", "JSON object"),
    ],
    ids=["words", "truncated", "empty", "list", "null"],
)
def test_a_line_that_is_not_a_json_object_is_rejected(line: str, expected: str) -> None:
    assert expected in rejection(line)


@pytest.mark.parametrize(
    "order_no", [None, "", "   ", 20261120001], ids=["null", "empty", "spaces", "number"]
)
def test_a_missing_or_bad_order_number_is_rejected(order_no: Any) -> None:
    assert "order_no" in rejection(example(order_no=order_no))


def test_an_absent_order_number_is_rejected() -> None:
    data = example()
    del data["order_no"]

    assert "missing order_no" in rejection(data)


@pytest.mark.parametrize("status", ["lost", "SHIPPED", "发货", None])
def test_an_unknown_status_is_rejected(status: str | None) -> None:
    message = rejection(example(status=status))

    assert "status" in message
    if status:
        assert status in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "yesterday"),
        ("created_at", "2026-13-40T10:00:00+08:00"),
        ("created_at", 1764000000),
        ("paid_at", "2026/11/20 10:01"),
        ("delivered_at", "soon"),
    ],
)
def test_a_bad_time_is_rejected_naming_the_field(field: str, value: Any) -> None:
    message = rejection(example(**{field: value}))

    assert field in message
    assert "bad time" in message


@pytest.mark.parametrize("field", ["created_at", "paid_at", "delivered_at"])
def test_a_time_without_offset_is_rejected(field: str) -> None:
    message = rejection(example(**{field: "2026-11-20T10:00:00"}))

    assert field in message
    assert "offset" in message


def test_a_missing_creation_time_is_rejected() -> None:
    data = example()
    del data["created_at"]

    assert "created_at" in rejection(data)


def test_a_tracking_event_without_offset_is_rejected() -> None:
    event = {"time": "2026-11-21T18:00:00", "description": "快件已揽收"}
    shipment = {**example()["shipment"], "events": [event]}

    assert "offset" in rejection(example(shipment=shipment))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"customer": None}, "customer"),
        ({"customer": {"name": "张三", "phone": "123"}}, "phone"),
        ({"customer": {"name": "张三"}}, "phone"),
        ({"items": {"sku": "MASK-01"}}, "items"),
        ({"items": ["MASK-01"]}, "item"),
        ({"items": [{"name": "面膜", "qty": 0, "price": "1"}]}, "qty"),
        ({"items": [{"name": "面膜", "qty": "2", "price": "1"}]}, "qty"),
        ({"items": [{"sku": "MASK-01", "qty": 1, "price": "1"}]}, "name"),
        ({"total": "abc"}, "total"),
        ({"total": "-1"}, "total"),
        ({"total": "NaN"}, "total"),
        ({"total": "1e30"}, "total"),
        ({"items": [{"name": "面膜", "qty": 1, "price": "1e30"}]}, "price"),
        ({"items": [{"name": "面膜", "qty": True, "price": "1"}]}, "qty"),
        ({"shipment": "SF1234567890123"}, "shipment"),
        ({"shipment": {"carrier": "顺丰速运"}}, "tracking_no"),
    ],
    ids=[
        "no-customer",
        "short-phone",
        "no-phone",
        "items-not-list",
        "item-not-object",
        "zero-qty",
        "text-qty",
        "item-without-name",
        "total-not-number",
        "negative-total",
        "nan-total",
        "huge-total",
        "huge-price",
        "boolean-qty",
        "shipment-not-object",
        "shipment-without-tracking",
    ],
)
def test_other_bad_fields_are_rejected_saying_which(changes: dict[str, Any], expected: str) -> None:
    assert expected in rejection(example(**changes))


def test_an_sql_injection_order_number_is_only_text() -> None:
    assert parse(example(order_no=INJECTION.lower())).order_no == INJECTION


async def test_an_sql_injection_order_number_is_stored_literally_and_harmless(
    services: Services,
) -> None:
    async with services.sessions() as session, session.begin():
        orders = Repositories.for_session(session).orders
        demo_order = await orders.by_number("KF20261120001")
        assert demo_order is not None
        assert await orders.upsert(parse(example(order_no=INJECTION, status="cancelled")))

    async with services.sessions() as session:
        orders = Repositories.for_session(session).orders
        stored = await orders.by_number(INJECTION)
        untouched = await orders.by_number("KF20261120001")
        order_count = await session.scalar(select(func.count()).select_from(Order))
    assert order_count == len(demo_orders(START)) + 1
    assert stored is not None
    assert (stored.order_no, stored.status) == (INJECTION, "cancelled")
    assert untouched is not None
    assert (untouched.id, untouched.status) == (demo_order.id, demo_order.status)
