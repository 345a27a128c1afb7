"""Importing orders and FAQ entries from files into the shop's database."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.followups import OrderNews, OrderState, schedule_order_news
from bot.settings import Settings
from handlers.patterns import order_references
from knowledge import ReplyTexts
from knowledge.loaders import load_entries
from storage.order_records import OrderRecord, parse_order_line
from storage.repositories import Repositories


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)
    news: OrderNews = field(default_factory=OrderNews)  # what the changes brought customers


@dataclass(frozen=True)
class NewsSettings:
    """What scheduling customers' news needs: the policy, the texts and the time."""

    settings: Settings
    texts: ReplyTexts
    now: datetime


async def import_orders(
    sessions: async_sessionmaker[AsyncSession],
    lines: Iterable[str | bytes],
    news: NewsSettings,
) -> ImportReport:
    """Import JSON lines of orders: valid lines are saved, bad ones reported by number.

    News comes from what a line changes: a new or corrected parcel on its way gets its
    customer a shipping notice, an order that becomes delivered a satisfaction visit; a line
    imported again, unchanged, brings nothing.
    """
    report = ImportReport()
    records: list[tuple[int, OrderRecord]] = []
    for number, line in enumerate(lines, 1):
        try:
            text = _decode(line, number)
            if text.strip():
                records.append((number, _chat_findable(parse_order_line(text))))
        except ValueError as error:
            report.errors.append((number, str(error)))
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        orders = repos.orders
        for number, record in records:
            try:
                # A savepoint per order: one the database refuses does not undo the others.
                async with session.begin_nested():
                    before = OrderState.of(await orders.by_number(record.order_no))
                    created = await orders.upsert(record)
                    order = await orders.by_number(record.order_no)
                    assert order is not None
                    report.news.add(
                        await schedule_order_news(
                            repos, before, order, news.settings, news.texts, news.now
                        )
                    )
            except SQLAlchemyError as error:
                report.errors.append((number, f"refused by the database: {error.orig or error}"))
                continue
            report.added += created
            report.updated += not created
    report.errors.sort()
    return report


def _chat_findable(record: OrderRecord) -> OrderRecord:
    """The record, if a customer can name its order in the chat; else ValueError."""
    if order_references(record.order_no) != [record.order_no]:
        raise ValueError(
            f"order_no {record.order_no!r} cannot be recognised in a chat: "
            "use up to 4 letters followed by 8 to 24 digits"
        )
    return record


def _decode(line: str | bytes, number: int) -> str:
    """A line as text; bytes are UTF-8, with a byte order mark allowed on the first line."""
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"invalid UTF-8 at byte {error.start + 1}") from None


async def import_faq(
    sessions: async_sessionmaker[AsyncSession], path: Path, now: datetime
) -> ImportReport:
    """Add FAQ entries from a file, replacing those with the same id."""
    records = load_entries(path)
    async with sessions() as session, session.begin():
        faq = Repositories.for_session(session).faq
        added, updated = await faq.upsert(records, await faq.stamp(now))
    return ImportReport(added=added, updated=updated)
