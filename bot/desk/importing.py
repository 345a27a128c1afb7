"""Importing orders, the product catalogue and FAQ entries from files into the shop's
database."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.order_owners import OwnerChange, owner_phone, refuse_move, take_from_old_owner
from bot.outreach.followups import OrderNews, OrderState, schedule_order_news
from core.patterns import order_references
from core.settings import Settings
from knowledge import FaqItem, ReplyTexts
from knowledge.csv_rows import decode_utf8_file, read_csv
from knowledge.loaders import read_entries
from storage.order_records import OrderRecord, parse_order_line
from storage.product_records import (
    FIELDS,
    REQUIRED_FIELDS,
    ProductRecord,
    parse_product_line,
    product_from_row,
)
from storage.repositories import Repositories

Record = TypeVar("Record")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)
    news: OrderNews = field(default_factory=OrderNews)  # what the changes brought customers
    owner_changes: list[OwnerChange] = field(default_factory=list)


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
    allow_owner_change: bool = False,
) -> ImportReport:
    """Import JSON lines of orders: valid lines are saved, bad ones reported by number.

    News comes from what a line changes: a new or corrected parcel on its way gets its
    customer a shipping notice, an order that becomes delivered a satisfaction visit; a line
    imported again, unchanged, brings nothing. A line giving a known order another customer's
    phone is refused unless `allow_owner_change`; then the order moves (bot.desk.order_owners) and
    its news goes to the new owner as for a new order.
    """
    report = ImportReport()
    records = _parse_lines(lines, lambda text: _chat_findable(parse_order_line(text)), report)
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        orders = repos.orders

        async def save(record: OrderRecord) -> bool:
            existing = await orders.by_number(record.order_no)
            before = OrderState.of(existing)
            old_phone = await owner_phone(repos, existing)
            moved = old_phone not in (None, record.customer_phone)
            if moved and not allow_owner_change:
                raise refuse_move(record, old_phone or "")
            created = await orders.upsert(record)
            order = await orders.by_number(record.order_no)
            assert order is not None
            if moved:
                change = OwnerChange(record.order_no, old_phone or "", record.customer_phone)
                report.owner_changes.append(
                    await take_from_old_owner(repos, order, change, news.now)
                )
                before = OrderState(None, None)  # new to its owner: told as a new order
            report.news.add(
                await schedule_order_news(repos, before, order, news.settings, news.texts, news.now)
            )
            return created

        await _save_each(session, records, save, report)
    return report


async def _save_each(
    session: AsyncSession,
    records: list[tuple[int, Record]],
    save: Callable[[Record], Awaitable[bool]],
    report: ImportReport,
) -> None:
    """Save each record (`save` says whether it was new), counting them in the report; one
    the database refuses is reported by its line."""
    for number, record in records:
        try:
            # A savepoint per record: one the database refuses does not undo the others.
            async with session.begin_nested():
                created = await save(record)
        except SQLAlchemyError as error:
            report.errors.append((number, f"refused by the database: {error.orig or error}"))
            continue
        except ValueError as error:  # the line asks for what it may not do
            report.errors.append((number, str(error)))
            continue
        report.added += created
        report.updated += not created
    report.errors.sort()


def _chat_findable(record: OrderRecord) -> OrderRecord:
    """The record, if a customer can name its order in the chat; else ValueError."""
    if order_references(record.order_no) != [record.order_no]:
        raise ValueError(
            f"order_no {record.order_no!r} cannot be recognised in a chat: "
            "use up to 4 letters followed by 8 to 24 digits"
        )
    return record


def _parse_lines(
    lines: Iterable[str | bytes], parse: Callable[[str], Record], report: ImportReport
) -> list[tuple[int, Record]]:
    """Each non-blank line parsed, with its number; a bad one's problem goes to the report."""
    records: list[tuple[int, Record]] = []
    for number, line in enumerate(lines, 1):
        try:
            text = _decode(line, number)
            if text.strip():
                records.append((number, parse(text)))
        except ValueError as error:
            report.errors.append((number, str(error)))
    return records


def _decode(line: str | bytes, number: int) -> str:
    """A line as text; bytes are UTF-8, with a byte order mark allowed on the first line."""
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"invalid UTF-8 at byte {error.start + 1}") from None


async def import_products(
    sessions: async_sessionmaker[AsyncSession], lines: Iterable[str | bytes], now: datetime
) -> ImportReport:
    """Import JSON lines of products: valid lines are saved, bad ones reported by number.

    A product already known (from an order, or an earlier import) is updated by its SKU.
    """
    report = ImportReport()
    records = _parse_lines(lines, parse_product_line, report)
    await _save_products(sessions, records, now, report)
    return report


async def import_products_csv(
    sessions: async_sessionmaker[AsyncSession], data: bytes, now: datetime
) -> ImportReport:
    """Import a CSV catalogue with a header row: bad rows are reported by the line of the
    file they start on, the others saved.

    A file that is not UTF-8, or whose header lacks a needed column or names one kefu does not
    know, is refused as a whole (ValueError): guessing there would save wrong products.
    """
    report = ImportReport()
    found = read_csv(decode_utf8_file(data))
    _check_csv_header(found.header)
    report.errors.extend(found.problems)
    records: list[tuple[int, ProductRecord]] = []
    for row in found.rows:
        try:
            records.append((row.line, product_from_row(row.cells)))
        except ValueError as error:
            report.errors.append((row.line, str(error)))
    await _save_products(sessions, records, now, report)
    return report


def _check_csv_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing:
        raise ValueError(f"the CSV header has no column {', '.join(missing)}")
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        raise ValueError(
            f"unknown CSV column {', '.join(map(repr, unknown))}; "
            f"the columns are {', '.join(FIELDS)}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValueError(f"the CSV header names {', '.join(repeated)} more than once")


async def _save_products(
    sessions: async_sessionmaker[AsyncSession],
    records: list[tuple[int, ProductRecord]],
    now: datetime,
    report: ImportReport,
) -> None:
    async with sessions() as session, session.begin():
        products = Repositories.for_session(session).products

        async def save(record: ProductRecord) -> bool:
            return await products.upsert(record, now)

        await _save_each(session, records, save, report)


async def import_faq(
    sessions: async_sessionmaker[AsyncSession], path: Path, now: datetime
) -> ImportReport:
    """Add FAQ entries from a file, replacing those with the same id: bad entries are
    reported by line, the good ones saved."""
    loaded = read_entries(path)
    report = ImportReport(errors=loaded.problems)
    if not loaded.entries:
        return report
    async with sessions() as session, session.begin():
        faq = Repositories.for_session(session).faq
        stamp = await faq.stamp(now)

        async def save(entry: FaqItem) -> bool:
            added, _ = await faq.upsert([entry], stamp)
            return added == 1

        # All at once first (the default FAQ is imported on every first start); entry by
        # entry only when the database refuses one, to name it.
        try:
            async with session.begin_nested():
                added, updated = await faq.upsert([e for _, e in loaded.entries], stamp)
        except SQLAlchemyError:
            await _save_each(session, loaded.entries, save, report)
        else:
            report.added, report.updated = added, updated
    return report
