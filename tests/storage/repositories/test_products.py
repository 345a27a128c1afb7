"""ProductRepository: the catalogue by SKU, and products only known from orders."""

from datetime import datetime, timedelta
from decimal import Decimal

from storage.product_records import ProductRecord
from storage.repositories import Repositories


def _record(**changes: object) -> ProductRecord:
    fields: dict[str, object] = {"sku": "TEST-1", "name": "测试面霜", "price": Decimal("88.00")}
    return ProductRecord(**{**fields, **changes})  # type: ignore[arg-type]


async def test_upsert_adds_then_updates_keeping_the_row(repos: Repositories, now: datetime) -> None:
    added = await repos.products.upsert(_record(), now)
    first = await repos.products.by_sku("TEST-1")
    again = await repos.products.upsert(_record(stock=3, tags=("保湿",)), now + timedelta(hours=1))
    second = await repos.products.by_sku("TEST-1")

    assert (added, again) == (True, False)
    assert first is not None and second is not None and second.id == first.id
    assert (second.stock, second.tags) == (3, ["保湿"])
    assert second.updated_at == now + timedelta(hours=1)


async def test_an_unchanged_reimport_leaves_the_revision(
    repos: Repositories, now: datetime
) -> None:
    await repos.products.upsert(_record(), now)
    revision = await repos.products.revision()

    await repos.products.upsert(_record(), now + timedelta(hours=1))
    unchanged = await repos.products.revision()
    await repos.products.upsert(_record(price=Decimal("99.00")), now + timedelta(hours=2))
    changed = await repos.products.revision()

    assert unchanged == revision
    assert changed != revision and changed[1] == now + timedelta(hours=2)


async def test_ensure_adds_an_order_only_product_off_the_catalogue(
    repos: Repositories, now: datetime
) -> None:
    product = await repos.products.ensure("GIFT-1", "赠品")
    again = await repos.products.ensure("GIFT-1", "别的名字", non_returnable=True)
    catalogue_skus = {p.sku for p in await repos.products.catalogue()}

    assert again.id == product.id and again.name == "赠品" and again.non_returnable is True
    assert "GIFT-1" not in catalogue_skus  # no price: not on sale
    found = await repos.products.by_skus(["GIFT-1", "NO-SUCH"])
    assert set(found) == {"GIFT-1"}
    assert await repos.products.by_skus([]) == {}
