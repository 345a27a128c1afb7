"""`python -m bot report complaints|satisfaction`: a report over the last days."""

import argparse
import sys

from bot.cli.database import shop_database
from bot.cli.ticket_printing import print_complaint_report, print_satisfaction_report
from bot.desk.reports import complaint_report
from bot.desk.satisfaction_report import satisfaction_report
from core.clock import Clock
from core.settings import Settings

# The longest period a report covers: ten years (a bigger one would overflow the dates).
MAX_REPORT_DAYS = 3650


def add_report_command(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="print a report")
    report.add_argument("kind", choices=("complaints", "satisfaction"))
    report.add_argument(
        "--days",
        type=report_days,
        default=30,
        help=f"over the last N days, at most {MAX_REPORT_DAYS} (default 30)",
    )


def report_days(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if not 1 <= value <= MAX_REPORT_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_REPORT_DAYS}: {raw!r}")
    return value


async def report(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    async with shop_database(settings, clock) as sessions:
        try:
            if args.kind == "satisfaction":
                found = await satisfaction_report(sessions, clock, args.days)
                print_satisfaction_report(found, settings.zone)
            else:
                print_complaint_report(
                    await complaint_report(sessions, clock, args.days), settings.zone
                )
        except ValueError as error:
            print(f"report: {error}", file=sys.stderr)
            return 2
    return 0
