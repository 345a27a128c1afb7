"""`python -m bot import orders|products|faq FILE`: bring the shop's data in."""

import argparse
import sys
from pathlib import Path

from bot.cli.database import shop_database
from bot.desk.importing import (
    ImportReport,
    NewsSettings,
    import_faq,
    import_orders,
    import_products,
    import_products_csv,
)
from bot.desk.unit_of_work import Sessions
from core.clock import Clock
from core.settings import Settings
from knowledge.replies import shop_texts


def add_import_command(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser("import", help="import data from a file")
    imports.add_argument("kind", choices=("orders", "products", "faq"))
    imports.add_argument(
        "file",
        type=Path,
        help="orders: JSON lines; products: JSON lines or .csv; faq: .yaml, .jsonl or .csv",
    )
    imports.add_argument(
        "--allow-owner-change",
        action="store_true",
        help="orders: move a known order to the customer of the phone a line gives "
        "(refused by default)",
    )


async def import_file(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    kind, path = args.kind, args.file
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    # A shop's own data goes into its database alone: the demo orders are for trying kefu out.
    async with shop_database(settings, clock) as sessions:
        try:
            report = await _import(sessions, settings, clock, kind, path, args.allow_owner_change)
        except (ValueError, OSError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            print(f"{kind}: nothing imported")
            return 1
    _print_report(kind, path, report)
    return 1 if report.errors else 0


async def _import(
    sessions: Sessions,
    settings: Settings,
    clock: Clock,
    kind: str,
    path: Path,
    allow_owner_change: bool,
) -> ImportReport:
    if kind == "orders":
        news = NewsSettings(settings, shop_texts(settings), clock.now())
        # Bytes, decoded line by line, so one line of bad UTF-8 is reported and skipped.
        with path.open("rb") as handle:
            return await import_orders(sessions, handle, news, allow_owner_change)
    if kind == "products" and path.suffix.lower() == ".csv":
        return await import_products_csv(sessions, path.read_bytes(), clock.now())
    if kind == "products":
        with path.open("rb") as handle:
            return await import_products(sessions, handle, clock.now())
    return await import_faq(sessions, path, clock.now())


def _print_report(kind: str, path: Path, report: ImportReport) -> None:
    for line, problem in report.errors:
        print(f"{path}:{line}: {problem}", file=sys.stderr)
    print(
        f"{kind}: {report.added} added, {report.updated} updated, "
        f"{len(report.errors)} bad lines skipped"
    )
    for change in report.owner_changes:
        print(f"owner changed: {change.describe()}")
    news = report.news
    if news.notices or news.visits or news.no_chat or news.cancelled:
        print(
            f"customers' news: {news.notices} shipping notices and {news.visits} satisfaction "
            f"visits scheduled, {news.cancelled} waiting notices cancelled; {news.no_chat} "
            "orders skipped (customer has no chat)"
        )
