"""The demo shop: a catalogue, a few customers and orders in every state, dated relative to
now."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from core.enums import OrderStatus
from storage.order_records import EventRecord, ItemRecord, OrderRecord, ShipmentRecord
from storage.product_records import ProductRecord

# (order_no, name, phone, status, days ago, items, carrier, tracking_no)
_ORDERS = (
    (
        "KF20261120001",
        "张三",
        "13800138000",
        OrderStatus.SHIPPED,
        3,
        (("MASK-01", "玻尿酸补水面膜", 2, "59.00"),),
        "顺丰速运",
        "SF1234567890123",
    ),
    (
        "KF20261115002",
        "张三",
        "13800138000",
        OrderStatus.DELIVERED,
        9,
        (("SERUM-30", "烟酰胺精华液30ml", 1, "168.00"), ("CREAM-50", "修护面霜50g", 1, "129.00")),
        "中通快递",
        "75312345678901",
    ),
    (
        "KF20261125003",
        "李四",
        "13912345678",
        OrderStatus.PAID,
        1,
        (("TONER-200", "氨基酸爽肤水200ml", 1, "89.00"),),
        None,
        None,
    ),
    (
        "KF20261126004",
        "王五",
        "13700001111",
        OrderStatus.PENDING_PAYMENT,
        0,
        (("SUN-50", "清透防晒乳50ml", 2, "99.00"),),
        None,
        None,
    ),
    (
        "KF20261101005",
        "李四",
        "13912345678",
        OrderStatus.REFUNDED,
        25,
        (("LIP-01", "滋润唇膏", 1, "39.00"),),
        None,
        None,
    ),
)


def demo_catalogue(now: datetime) -> list[ProductRecord]:
    """The demo shop's catalogue as if imported `now`: three masks and two serums (so "面膜多少钱"
    needs a follow-up question), products for sensitive skin, one sold out until a date, one
    sold out with no date, one nearly gone. The six products of the demo orders keep their
    names and prices; opened lip balm cannot be returned without a reason."""
    restock = (now + timedelta(days=5)).date()
    return [
        _product(
            "MASK-01",
            "玻尿酸补水面膜",
            "面膜",
            "59.00",
            120,
            aliases=("补水面膜", "玻尿酸面膜"),
            tags=("补水", "保湿", "干皮"),
            description="一盒5片，玻尿酸精华液浸润，敷后水润不黏腻。",
        ),
        _product(
            "MASK-02",
            "积雪草舒缓面膜",
            "面膜",
            "69.00",
            0,
            restock_date=restock,
            aliases=("积雪草面膜", "舒缓面膜"),
            tags=("敏感肌", "舒缓", "修护"),
            description="一盒5片，积雪草提取物舒缓泛红，换季不稳定时适用。",
        ),
        _product(
            "MASK-03",
            "清洁泥膜",
            "面膜",
            "79.00",
            35,
            aliases=("泥膜", "清洁面膜"),
            tags=("清洁", "控油", "油皮"),
            description="100g，高岭土吸附多余油脂，每周1-2次，敷10分钟洗掉。",
        ),
        _product(
            "SERUM-30",
            "烟酰胺精华液30ml",
            "精华",
            "168.00",
            42,
            aliases=("小白瓶", "烟酰胺精华"),
            tags=("美白", "提亮", "油皮", "混合皮"),
            description="5%烟酰胺，改善暗沉、提亮肤色，早晚洁面爽肤后使用。",
        ),
        _product(
            "SERUM-PEP",
            "多肽紧致精华液30ml",
            "精华",
            "198.00",
            3,
            aliases=("多肽精华", "紧致精华"),
            tags=("抗老", "修护", "干皮"),
            description="多肽配方，淡化细纹、紧致肌肤，适合25岁以上日常抗老。",
        ),
        _product(
            "CLEANSER-100",
            "氨基酸洁面乳100g",
            "洁面",
            "69.00",
            150,
            aliases=("洗面奶", "氨基酸洗面奶"),
            tags=("清洁", "敏感肌", "干皮"),
            description="氨基酸表活，泡沫细腻，洗后不紧绷，敏感肌也可用。",
        ),
        _product(
            "OIL-150",
            "温和卸妆油150ml",
            "卸妆",
            "119.00",
            0,
            aliases=("卸妆油",),
            tags=("清洁", "混合皮"),
            description="植物油配方，乳化快，淡妆浓妆都能卸干净。",
        ),
        _product(
            "TONER-200",
            "氨基酸爽肤水200ml",
            "爽肤水",
            "89.00",
            90,
            aliases=("氨基酸水", "爽肤水"),
            tags=("补水", "保湿", "混合皮"),
            description="温和补水，二次清洁、平衡水油，可湿敷。",
        ),
        _product(
            "SPRAY-150",
            "舒缓修护喷雾150ml",
            "喷雾",
            "79.00",
            55,
            aliases=("舒缓喷雾", "修护喷雾"),
            tags=("敏感肌", "舒缓", "补水"),
            description="随时喷，缓解干燥泛红，可以在妆前妆后使用。",
        ),
        _product(
            "LOTION-120",
            "水润保湿乳液120ml",
            "乳液",
            "109.00",
            50,
            aliases=("保湿乳液", "保湿乳"),
            tags=("保湿", "干皮", "混合皮"),
            description="质地轻薄，锁住水分，一年四季都能用。",
        ),
        _product(
            "CREAM-50",
            "修护面霜50g",
            "面霜",
            "129.00",
            60,
            aliases=("修护霜",),
            tags=("敏感肌", "修护", "保湿", "干皮"),
            description="神经酰胺修护屏障，滋润不油腻，敏感肌可用。",
        ),
        _product(
            "CREAM-GEL",
            "清爽保湿啫喱霜50g",
            "面霜",
            "99.00",
            80,
            aliases=("啫喱霜", "保湿啫喱"),
            tags=("保湿", "控油", "油皮", "混合皮"),
            description="啫喱质地，清爽好吸收，油皮夏天也能用。",
        ),
        _product(
            "EYE-15",
            "淡纹眼霜15g",
            "眼霜",
            "149.00",
            30,
            aliases=("眼霜",),
            tags=("抗老", "保湿"),
            description="淡化眼周细纹和干纹，早晚取米粒大小轻点眼周。",
        ),
        _product(
            "SUN-50",
            "清透防晒乳50ml",
            "防晒",
            "99.00",
            75,
            aliases=("防晒乳", "防晒霜"),
            tags=("防晒", "油皮", "混合皮"),
            description="SPF50+ PA++++，清爽不泛白，出门前15分钟涂抹。",
        ),
        _product(
            "SUN-SPRAY",
            "清透防晒喷雾150ml",
            "防晒",
            "89.00",
            40,
            aliases=("防晒喷雾",),
            tags=("防晒",),
            description="SPF50+，身体和头发都能喷，方便补涂。",
        ),
        _product(
            "ACNE-10",
            "水杨酸祛痘凝胶10g",
            "祛痘",
            "59.00",
            45,
            aliases=("祛痘膏", "祛痘凝胶"),
            tags=("祛痘", "控油", "油皮"),
            description="2%水杨酸，点涂在痘痘上，孕期请勿使用。",
        ),
        _product(
            "LIP-01",
            "滋润唇膏",
            "唇部",
            "39.00",
            200,
            non_returnable=True,
            aliases=("润唇膏",),
            tags=("保湿", "修护"),
            description="无色润唇，改善干裂起皮；拆封后不支持无理由退货。",
        ),
    ]


def _product(
    sku: str,
    name: str,
    category: str,
    price: str,
    stock: int,
    *,
    aliases: tuple[str, ...],
    tags: tuple[str, ...],
    description: str,
    non_returnable: bool = False,
    restock_date: date | None = None,
) -> ProductRecord:
    return ProductRecord(
        sku=sku,
        name=name,
        price=Decimal(price),
        category=category,
        aliases=aliases,
        tags=tags,
        description=description,
        stock=stock,
        non_returnable=non_returnable,
        restock_date=restock_date,
    )


def demo_orders(now: datetime) -> list[OrderRecord]:
    """The demo orders as if imported `now`."""
    return [_order(row, now) for row in _ORDERS]


def _order(row: tuple, now: datetime) -> OrderRecord:  # type: ignore[type-arg]
    order_no, name, phone, status, days_ago, items, carrier, tracking_no = row
    created = now - timedelta(days=days_ago, hours=2)
    paid = None if status == OrderStatus.PENDING_PAYMENT else created + timedelta(minutes=1)
    shipment = None
    delivered = None
    if carrier:
        shipped = created + timedelta(hours=20)
        events = [
            EventRecord(shipped + timedelta(hours=4), "广州", "快件已揽收"),
            EventRecord(shipped + timedelta(hours=20), "广州", "快件已发往上海转运中心"),
            EventRecord(shipped + timedelta(hours=40), "上海", "快件到达上海转运中心"),
        ]
        if status == OrderStatus.DELIVERED:
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
