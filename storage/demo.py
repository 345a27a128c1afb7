"""The demo shop: a few customers and orders in every state, dated relative to now."""

from datetime import datetime, timedelta
from decimal import Decimal

from storage.order_records import EventRecord, ItemRecord, OrderRecord, ShipmentRecord

# (order_no, name, phone, status, days ago, items, carrier, tracking_no)
_ORDERS = (
    (
        "KF20261120001",
        "张三",
        "13800138000",
        "shipped",
        3,
        (("MASK-01", "玻尿酸补水面膜", 2, "59.00"),),
        "顺丰速运",
        "SF1234567890123",
    ),
    (
        "KF20261115002",
        "张三",
        "13800138000",
        "delivered",
        9,
        (("SERUM-30", "烟酰胺精华液30ml", 1, "168.00"), ("CREAM-50", "修护面霜50g", 1, "129.00")),
        "中通快递",
        "75312345678901",
    ),
    (
        "KF20261125003",
        "李四",
        "13912345678",
        "paid",
        1,
        (("TONER-200", "氨基酸爽肤水200ml", 1, "89.00"),),
        None,
        None,
    ),
    (
        "KF20261126004",
        "王五",
        "13700001111",
        "pending_payment",
        0,
        (("SUN-50", "清透防晒乳50ml", 2, "99.00"),),
        None,
        None,
    ),
    (
        "KF20261101005",
        "李四",
        "13912345678",
        "refunded",
        25,
        (("LIP-01", "滋润唇膏", 1, "39.00"),),
        None,
        None,
    ),
)


# (sku, name, non_returnable): opened lip products cannot be returned without a reason.
DEMO_PRODUCTS = (
    ("MASK-01", "玻尿酸补水面膜", False),
    ("SERUM-30", "烟酰胺精华液30ml", False),
    ("CREAM-50", "修护面霜50g", False),
    ("TONER-200", "氨基酸爽肤水200ml", False),
    ("SUN-50", "清透防晒乳50ml", False),
    ("LIP-01", "滋润唇膏", True),
)


def demo_orders(now: datetime) -> list[OrderRecord]:
    """The demo orders as if imported `now`."""
    return [_order(row, now) for row in _ORDERS]


def _order(row: tuple, now: datetime) -> OrderRecord:  # type: ignore[type-arg]
    order_no, name, phone, status, days_ago, items, carrier, tracking_no = row
    created = now - timedelta(days=days_ago, hours=2)
    paid = None if status == "pending_payment" else created + timedelta(minutes=1)
    shipment = None
    delivered = None
    if carrier:
        shipped = created + timedelta(hours=20)
        events = [
            EventRecord(shipped + timedelta(hours=4), "广州", "快件已揽收"),
            EventRecord(shipped + timedelta(hours=20), "广州", "快件已发往上海转运中心"),
            EventRecord(shipped + timedelta(hours=40), "上海", "快件到达上海转运中心"),
        ]
        if status == "delivered":
            delivered = shipped + timedelta(days=2, hours=3)
            events.append(EventRecord(delivered, "上海", "快件已签收，签收人：本人"))
        shipment = ShipmentRecord(carrier, tracking_no, shipped, tuple(events))
    item_records = tuple(ItemRecord(s, n, q, Decimal(p)) for s, n, q, p in items)
    return OrderRecord(
        order_no=order_no,
        status=status,
        created_at=created,
        customer_name=name,
        customer_phone=phone,
        items=item_records,
        total=sum((i.price * i.qty for i in item_records), Decimal("0.00")),
        paid_at=paid,
        shipment=shipment,
        delivered_at=delivered,
    )
