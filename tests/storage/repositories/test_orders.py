"""OrderRepository: finding orders by number or parcel, a customer's own orders, parcels."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import OrderStatus
from storage.order_records import EventRecord, ItemRecord, OrderRecord, ShipmentRecord
from storage.repositories import Repositories
from tests.support.factories import add_chat, add_customer, add_followup, add_order


async def test_by_number_ignores_case_and_loads_items_and_parcel(
    repos: Repositories, session: AsyncSession
) -> None:
    customer = await add_customer(session)
    await add_order(repos, customer, order_no="KF100", tracking_no="SF123")

    order = await repos.orders.by_number("kf100")

    assert order is not None and order.order_no == "KF100"
    assert [item.sku for item in order.items] == ["SERUM-30"]
    assert order.shipment is not None and order.shipment.tracking_no == "SF123"
    assert await repos.orders.by_number("KF1000") is None


async def test_owner_is_found_by_order_or_tracking_number(
    repos: Repositories, session: AsyncSession
) -> None:
    alice = await add_customer(session, phone="13900000001")
    bob = await add_customer(session, phone="13900000002")
    await add_order(repos, alice, order_no="KF201", tracking_no="SF201")
    await add_order(repos, bob, order_no="KF202")

    by_order = await repos.orders.owner("kf201")
    by_parcel = await repos.orders.owner("sf201")
    other = await repos.orders.owner("KF202")

    assert by_order is not None and (by_order.customer_id, by_order.phone) == (
        alice.id,
        "13900000001",
    )
    assert by_parcel is not None and by_parcel.order_no == "KF201"
    assert other is not None and other.customer_id == bob.id
    assert await repos.orders.owner("KF2") is None


async def test_recent_for_customer_lists_only_theirs_newest_first_up_to_the_limit(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    other = await add_customer(session)
    for day, number in enumerate(("KF301", "KF302", "KF303")):
        await add_order(repos, customer, order_no=number, created_at=now + timedelta(days=day))
    await add_order(repos, other, order_no="KF399", created_at=now + timedelta(days=9))

    recent = await repos.orders.recent_for_customer(customer.id, limit=2)
    every = await repos.orders.recent_for_customer(customer.id, details=False)

    assert [o.order_no for o in recent] == ["KF303", "KF302"]
    assert [o.order_no for o in every] == ["KF303", "KF302", "KF301"]


async def test_newest_filters_by_part_of_an_order_or_tracking_number(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session, name="王五")
    await add_order(repos, customer, order_no="ZZ401", created_at=now)
    await add_order(repos, customer, order_no="ZZ402", tracking_no="YT_9", created_at=now)
    await add_order(repos, customer, order_no="ZZ%03", created_at=now - timedelta(days=1))

    by_order = await repos.orders.newest(10, "zz40")
    by_parcel = await repos.orders.newest(10, "yt_")
    wildcard = await repos.orders.newest(10, "Z%0")  # % is a character, not a wildcard

    assert [o.order_no for o in by_order] == ["ZZ402", "ZZ401"]
    assert [(o.order_no, o.customer_name, o.tracking_no) for o in by_parcel] == [
        ("ZZ402", "王五", "YT_9")
    ]
    assert [o.order_no for o in wildcard] == ["ZZ%03"]


async def test_set_shipment_changes_the_order_once_and_a_new_number_drops_old_events(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    event = EventRecord(now, "杭州", "已揽收")
    record = OrderRecord(
        "KF501", OrderStatus.SHIPPED, now, customer.name, customer.phone,
        (ItemRecord("SERUM-30", "精华", 1, Decimal("168.00")),), Decimal("168.00"), now,
        ShipmentRecord("顺丰", "SF501", now, (event,)), None,
    )  # fmt: skip
    await repos.orders.upsert(record)
    order = await repos.orders.by_number("KF501")
    assert order is not None and order.shipment is not None and len(order.shipment.events) == 1

    unchanged = await repos.orders.set_shipment(order, "顺丰", "SF501", now + timedelta(hours=1))
    corrected = await repos.orders.set_shipment(order, "顺丰", "SF502", now + timedelta(hours=1))

    assert unchanged is False
    assert corrected is True
    assert order.shipment.tracking_no == "SF502"
    assert order.shipment.events == []
    assert order.shipment.shipped_at == now  # a corrected number keeps the shipping time


async def test_mark_delivered_only_once(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    order = await add_order(repos, await add_customer(session), status=OrderStatus.SHIPPED)

    first = await repos.orders.mark_delivered(order, now)
    second = await repos.orders.mark_delivered(order, now + timedelta(days=1))

    assert (first, second) == (True, False)
    assert order.delivered_at == now


async def test_upsert_updates_by_number_without_duplicating_tracking_events(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    first_event = EventRecord(now, "杭州", "已揽收")
    second_event = EventRecord(now + timedelta(hours=5), "上海", "运输中")

    def record(status: str, events: tuple[EventRecord, ...]) -> OrderRecord:
        return OrderRecord(
            "KF601", status, now, customer.name, customer.phone,
            (ItemRecord("NEW-SKU", "新品", 2, Decimal("10.00")),), Decimal("20.00"), now,
            ShipmentRecord("顺丰", "SF601", now, events), None,
        )  # fmt: skip

    created = await repos.orders.upsert(record(OrderStatus.SHIPPED, (first_event,)))
    again = await repos.orders.upsert(record(OrderStatus.DELIVERED, (first_event, second_event)))
    session.expunge_all()
    order = await repos.orders.by_number("KF601")

    assert (created, again) == (True, False)
    assert order is not None and order.status == OrderStatus.DELIVERED
    assert order.shipment is not None
    assert [e.description for e in order.shipment.events] == ["已揽收", "运输中"]
    assert len(order.items) == 1
    assert await repos.products.by_sku("NEW-SKU") is not None  # known from the order


async def test_customer_chats_are_that_customers_most_recently_active_first(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    older = await add_chat(repos, customer=customer, now=now)
    newer = await add_chat(repos, customer=customer, now=now)
    await add_chat(repos, customer=await add_customer(session), now=now)
    newer.conversation.updated_at = now + timedelta(hours=1)
    await session.flush()

    chats = await repos.orders.customer_chats(customer.id)

    assert [(c.identity_id, c.conversation_id) for c in chats] == [
        (newer.identity.id, newer.conversation.id),
        (older.identity.id, older.conversation.id),
    ]


async def test_followups_are_that_orders_latest_due_first(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    order = await add_order(repos, customer)
    other = await add_order(repos, customer)
    chat = await add_chat(repos, customer=customer, now=now)
    notice = await add_followup(repos, chat, order_id=order.id, due_at=now)
    visit = await add_followup(repos, chat, order_id=order.id, due_at=now + timedelta(days=7))
    await add_followup(repos, chat, order_id=other.id, due_at=now)

    found = await repos.orders.followups(order.id)

    assert [f.id for f in found] == [visit.id, notice.id]
