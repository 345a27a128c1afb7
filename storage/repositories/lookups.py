"""Lookups shared by repositories."""

from collections.abc import Collection

from sqlalchemy import ColumnElement, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


async def chats_and_customers(
    session: AsyncSession,
    identity_column: InstrumentedAttribute[int],
    customer_column: InstrumentedAttribute[int | None],
    identity_ids: Collection[int],
    customer_ids: Collection[int],
    *conditions: ColumnElement[bool],
) -> tuple[set[int], set[int]]:
    """The chats and customers of the rows meeting `conditions` that belong to any of these
    chats or customers: (identity ids, customer ids)."""
    # Two indexed lookups rather than one OR, which SQLite answers with a scan.
    columns = (identity_column, customer_column)
    rows = await session.execute(
        union_all(
            select(*columns).where(identity_column.in_(list(identity_ids)), *conditions),
            select(*columns).where(customer_column.in_(list(customer_ids)), *conditions),
        )
    )
    chats: set[int] = set()
    customers: set[int] = set()
    for identity_id, customer_id in rows.all():
        chats.add(identity_id)
        if customer_id is not None:
            customers.add(customer_id)
    return chats, customers
