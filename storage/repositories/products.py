"""Products, known by their SKU: the shop's catalogue, and products only seen on orders."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Product
from storage.product_records import ProductRecord

# The catalogue's state as one value: it changed when this did (count, newest change).
CatalogueRevision = tuple[int, datetime | None]


class ProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_sku(self, sku: str) -> Product | None:
        return await self._session.scalar(select(Product).where(Product.sku == sku))

    async def by_skus(self, skus: Collection[str]) -> dict[str, Product]:
        """The products with these SKUs, by SKU; unknown ones are left out."""
        if not skus:
            return {}
        rows = await self._session.scalars(select(Product).where(Product.sku.in_(list(skus))))
        return {product.sku: product for product in rows}

    async def catalogue(self) -> Sequence[Product]:
        """The products on sale: those the catalogue gave a price."""
        rows = await self._session.scalars(
            select(Product).where(Product.price.is_not(None)).order_by(Product.id)
        )
        return rows.all()

    async def revision(self) -> CatalogueRevision:
        """Changes whenever a catalogue import adds or changes a product (one small query)."""
        count, newest = (
            await self._session.execute(
                select(func.count(Product.id), func.max(Product.updated_at))
            )
        ).one()
        return int(count), newest

    async def ensure(self, sku: str, name: str, non_returnable: bool | None = None) -> Product:
        """The product with this SKU, added if new; `non_returnable` updates it when given."""
        product = await self.by_sku(sku)
        if product is None:
            product = Product(sku=sku, name=name, non_returnable=bool(non_returnable))
            self._session.add(product)
        elif non_returnable is not None:
            product.non_returnable = non_returnable
        await self._session.flush()
        return product

    async def upsert(self, record: ProductRecord, now: datetime) -> bool:
        """Add the product or set every field of it from the record; True if it was added.

        The row (and its id) is kept: orders and tickets name products by SKU. `updated_at`
        moves to `now` only when something changed, so an unchanged re-import does not make
        the assistant read the catalogue again.
        """
        product = await self.by_sku(record.sku)
        added = product is None
        if product is None:
            product = Product(sku=record.sku)
            self._session.add(product)
        fields = {
            "name": record.name,
            "non_returnable": record.non_returnable,
            "aliases": list(record.aliases),
            "category": record.category,
            "tags": list(record.tags),
            "description": record.description,
            "price": record.price,
            "stock": record.stock,
            "restock_date": record.restock_date,
        }
        changed = added
        for key, value in fields.items():
            if getattr(product, key) != value:
                setattr(product, key, value)
                changed = True
        if changed:
            product.updated_at = now
        await self._session.flush()
        return added
