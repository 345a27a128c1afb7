"""Products, known by their SKU: the shop's catalogue, and products only seen on orders."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Product

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
