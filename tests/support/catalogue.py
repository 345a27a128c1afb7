"""Products as tests write them: the issue's example line, and a catalogue the tests know."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.services import Services
from knowledge.product_catalogue import ProductItem
from storage.models import Product
from tests.support.clock import FakeClock


def example_product(**changes: Any) -> dict[str, Any]:
    """The issue's example line of the product catalogue, with some fields changed."""
    return {
        "sku": "SERUM-30",
        "name": "烟酰胺精华液30ml",
        "aliases": ["小白瓶", "烟酰胺精华"],
        "category": "精华",
        "price": "168.00",
        "stock": 42,
        "non_returnable": False,
        "description": "5%烟酰胺，提亮肤色。",
        "tags": ["提亮", "油皮"],
        "restock_date": None,
        **changes,
    }


@dataclass(frozen=True)
class Listed:
    """A catalogue row as a test writes it."""

    sku: str
    name: str
    category: str
    price: str
    stock: int | None = 50
    aliases: Sequence[str] = ()
    tags: Sequence[str] = ()
    restock_date: date | None = None
    non_returnable: bool = False
    description: str = field(default="")


CATALOGUE = (
    Listed("MASK-01", "玻尿酸补水面膜", "面膜", "59.00", 80, ("补水面膜",), ("补水", "干皮")),
    Listed("MASK-02", "积雪草舒缓面膜", "面膜", "69.00", 3, ("舒缓面膜",), ("敏感肌", "舒缓")),
    Listed("MASK-03", "清洁泥膜", "面膜", "79.00", 0, ("泥膜",), ("清洁", "油皮", "控油")),
    Listed("SERUM-30", "烟酰胺精华液30ml", "精华", "168.00", 42, ("小白瓶",), ("提亮", "油皮")),
    Listed("SERUM-RA", "视黄醇抗老精华", "精华", "238.00", 0, (), ("抗老",), date(2026, 12, 5)),
    Listed("CREAM-50", "修护面霜50g", "面霜", "129.00", 30, (), ("敏感肌", "修护", "干皮")),
    Listed("TONER-200", "氨基酸爽肤水200ml", "爽肤水", "89.00", 25, (), ("敏感肌", "保湿")),
    Listed("SUN-50", "清透防晒乳50ml", "防晒", "99.00", None, (), ("防晒",)),
    Listed("LIP-01", "滋润唇膏", "唇膏", "39.00", 100, (), ("保湿",), non_returnable=True),
)


async def write_catalogue(services: Services, clock: FakeClock, rows: Sequence[Listed]) -> None:
    """Make these products the shop's whole catalogue, as imports would (others go off sale)."""
    async with services.sessions() as session, session.begin():
        known = {p.sku: p for p in await session.scalars(select(Product))}
        for row in rows:
            product = known.get(row.sku) or Product(sku=row.sku)
            product.name, product.category = row.name, row.category
            product.price, product.stock = Decimal(row.price), row.stock
            product.aliases, product.tags = list(row.aliases), list(row.tags)
            product.restock_date, product.non_returnable = row.restock_date, row.non_returnable
            product.description, product.updated_at = row.description, clock.now()
            session.add(product)
        for sku, product in known.items():
            if sku not in {row.sku for row in rows}:
                product.price, product.updated_at = None, clock.now()  # off sale


# The knowledge layer's view of a catalogue, for tests of matching without a database.
ITEMS = (
    ProductItem("MASK-01", "玻尿酸补水面膜", ("补水面膜",), "面膜", ("补水", "保湿", "干皮")),
    ProductItem("MASK-02", "积雪草舒缓面膜", ("舒缓面膜",), "面膜", ("敏感肌", "舒缓")),
    ProductItem("MASK-03", "清洁泥膜", ("泥膜",), "面膜", ("清洁", "油皮", "控油")),
    ProductItem("SERUM-30", "烟酰胺精华液30ml", ("小白瓶", "烟酰胺精华"), "精华", ("美白", "油皮")),
    ProductItem("SERUM-RA", "视黄醇抗老精华", (), "精华", ("抗老", "干皮")),
    ProductItem("CREAM-50", "修护面霜50g", (), "面霜", ("敏感肌", "修护", "干皮")),
    ProductItem("TONER-200", "氨基酸爽肤水200ml", (), "爽肤水", ("敏感肌", "保湿")),
    ProductItem("SUN-50", "清透防晒乳50ml", (), "防晒", ("防晒", "油皮")),
    ProductItem("LIP-01", "滋润唇膏", (), "唇膏", ("保湿", "修护")),
    ProductItem("WASH-100", "氨基酸洁面乳", ("洗面奶",), "洁面", ("清洁", "敏感肌")),
)
