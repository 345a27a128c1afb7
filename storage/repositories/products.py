"""Products, known by their SKU."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Product


class ProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_sku(self, sku: str) -> Product | None:
        return await self._session.scalar(select(Product).where(Product.sku == sku))

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
