"""The product catalogue the assistant matches names against, kept in step with the table.

Each message checks the catalogue's revision (one small query); after an import changed it,
the catalogue is read again. Prices and stock are not kept here: handlers read them from the
database for the products a message names, so they are never stale.
"""

import asyncio
from dataclasses import dataclass, field

from knowledge.product_catalogue import ProductCatalogue, ProductItem
from knowledge.synonyms import Synonyms
from storage.models import Product
from storage.repositories import Repositories
from storage.repositories.products import CatalogueRevision


def product_item(row: Product) -> ProductItem:
    """The matcher's view of a catalogue row: its names, category and tags."""
    return ProductItem(
        sku=row.sku,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        category=row.category or "",
        tags=tuple(row.tags or ()),
    )


@dataclass
class ProductSource:
    synonyms: Synonyms
    catalogue: ProductCatalogue | None = None
    revision: CatalogueRevision | None = None
    # Messages may arrive together after an import: one of them reads the catalogue.
    _updating: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def current(self, repos: Repositories) -> ProductCatalogue:
        """The catalogue as the products table holds it now."""
        revision = await repos.products.revision()
        if revision != self.revision or self.catalogue is None:
            async with self._updating:
                if revision != self.revision or self.catalogue is None:
                    items = [product_item(row) for row in await repos.products.catalogue()]
                    # Thousands of products take a fraction of a second to index: off the loop.
                    self.catalogue = await asyncio.to_thread(ProductCatalogue, items, self.synonyms)
                    self.revision = revision
        return self.catalogue
