"""The command line: run the server, chat in the terminal, import orders and FAQ, work
tickets and read reports."""

import argparse
import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import Services, create_app, prepare_database, start_services
from bot.channels.console import chat_in_terminal
from bot.clock import Clock, SystemClock
from bot.importing import ImportReport, import_faq, import_orders
from bot.reports import ComplaintReport, complaint_report
from bot.settings import Settings
from bot.staff_accounts import create_first_admin
from bot.staff_command import add_staff_commands, staff_add
from bot.tickets import (
    TicketDetail,
    TicketNotFound,
    TicketUpdate,
    list_tickets,
    show_ticket,
    update_ticket,
)
from knowledge import ReplyTexts
from knowledge.replies import DEFAULT_REPLIES
from storage.models import TICKET_KINDS, TICKET_STATUSES, TicketEvent
from storage.repositories.tickets import ListedTicket

# Seconds between two outbox deliveries while serving.
OUTBOX_EVERY_SECONDS = 1.0
# Seconds between two runs of the handover jobs: queued chats wait at most this for an agent.
HANDOVER_JOBS_EVERY_SECONDS = 2.0
DEMO_ADMIN = "admin"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="kefu customer service")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the web chat and API")
    run.add_argument("--host", help="listen address (default KEFU_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default KEFU_PORT or 8080)")
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal")
    chat.add_argument("--user", default="terminal", help="your chat id (default: terminal)")
    imports = commands.add_parser("import", help="import data from a file")
    imports.add_argument("kind", choices=("orders", "faq"))
    imports.add_argument("file", type=Path)
    _add_ticket_commands(commands)
    add_staff_commands(commands)
    report = commands.add_parser("report", help="print a report")
    report.add_argument("kind", choices=("complaints",))
    report.add_argument(
        "--days", type=_positive_int, default=30, help="over the last N days (default 30)"
    )
    return parser


def _add_ticket_commands(commands: argparse._SubParsersAction) -> None:
    tickets = commands.add_parser("tickets", help="list, show and update tickets")
    actions = tickets.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="tickets, newest first")
    listing.add_argument("--status", choices=TICKET_STATUSES)
    listing.add_argument("--kind", choices=TICKET_KINDS)
    listing.add_argument(
        "--overdue", action="store_true", help="only active tickets past a deadline"
    )
    show = actions.add_parser("show", help="a ticket and its history")
    show.add_argument("number")
    update = actions.add_parser(
        "update", help="change the status and/or add a note; the customer is told"
    )
    update.add_argument("number")
    update.add_argument("--status", choices=TICKET_STATUSES)
    update.add_argument("--note", help="a note; internal unless --public")
    update.add_argument(
        "--public", action="store_true", help="the note is for the customer and sent to them"
    )


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1: {raw!r}")
    return value


def main(argv: list[str] | None = None, clock: Clock | None = None) -> int:
    """Run a command; `clock` is for tests (default: the system clock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "tickets" and args.action == "update":
        if args.status is None and args.note is None:
            parser.error("tickets update: give --status, --note or both")
        if args.public and args.note is None:
            parser.error("tickets update: --public needs a --note")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if args.command == "run":
        try:
            return asyncio.run(_run(settings, args.host, args.port))
        except KeyboardInterrupt:
            return 0
    if args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(_chat(settings, args.user))
    if args.command == "staff":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(staff_add(settings, clock or SystemClock(), args))
    if args.command in ("tickets", "report"):
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(_staff_command(settings, clock or SystemClock(), args))
    return asyncio.run(_import(settings, args.kind, args.file))


async def _run(settings: Settings, host: str | None, port: int | None) -> int:
    services = await start_services(settings)
    if settings.demo:
        await _first_admin_for_the_demo(services)
    app = create_app(
        services,
        deliver_outbox_every=OUTBOX_EVERY_SECONDS,
        handover_jobs_every=HANDOVER_JOBS_EVERY_SECONDS,
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.host, port or settings.port)
    await site.start()
    print(f"kefu is serving on http://{host or settings.host}:{port or settings.port}", flush=True)
    stop = asyncio.Event()
    # A service manager stops with SIGTERM: shut down as cleanly as on Ctrl-C.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await services.close()
    return 0


async def _first_admin_for_the_demo(services: Services) -> None:
    """With the demo shop and no staff yet, an admin with a one-time password to try the
    console; a real shop creates its accounts with `staff add`."""
    password = secrets.token_urlsafe(12)
    staff = await create_first_admin(services.sessions, services.clock, DEMO_ADMIN, password)
    if staff is not None:
        print(f"console sign-in for the demo: {DEMO_ADMIN} / {password}", flush=True)


async def _chat(settings: Settings, user: str) -> int:
    services = await start_services(settings)
    try:
        await chat_in_terminal(services.assistant, services.clock, user)
    finally:
        await services.close()
    return 0


async def _import(settings: Settings, kind: str, path: Path) -> int:
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    # A shop's own data goes into its database alone: the demo orders are for trying kefu out.
    engine, sessions = await prepare_database(settings, SystemClock(), load_demo=False)
    try:
        if kind == "orders":
            # Bytes, decoded line by line, so one line of bad UTF-8 is reported and skipped.
            with path.open("rb") as handle:
                report = await import_orders(sessions, handle)
        else:
            report = await import_faq(sessions, path, SystemClock().now())
    except (ValueError, OSError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    _print_report(kind, path, report)
    return 1 if report.errors else 0


def _print_report(kind: str, path: Path, report: ImportReport) -> None:
    for line, problem in report.errors:
        print(f"{path}:{line}: {problem}", file=sys.stderr)
    print(f"{kind}: {report.added} added, {report.updated} updated, {len(report.errors)} bad lines")


async def _staff_command(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """`tickets …` and `report …`, on the shop's database as it is (never the demo shop)."""
    engine, sessions = await prepare_database(settings, clock, load_demo=False)
    zone = settings.zone
    try:
        if args.command == "report":
            _print_complaint_report(await complaint_report(sessions, clock, args.days), zone)
        elif args.action == "list":
            tickets = await list_tickets(
                sessions, clock, status=args.status, kind=args.kind, overdue=args.overdue
            )
            _print_ticket_list(tickets, zone)
        elif args.action == "show":
            _print_ticket(await show_ticket(sessions, args.number), zone)
        else:
            texts = ReplyTexts.from_file(settings.replies_file or DEFAULT_REPLIES)
            update = await update_ticket(
                sessions,
                args.number,
                status=args.status,
                note=args.note,
                public=args.public,
                clock=clock,
                texts=texts,
            )
            _print_update(update)
    except TicketNotFound:
        print(f"no ticket numbered {args.number}", file=sys.stderr)
        return 1
    except ValueError as error:  # e.g. a note of blanks only: nothing to update
        command = f"tickets {args.action}" if args.command == "tickets" else args.command
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    return 0


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _table(rows: list[list[str]], right_from: int = 99) -> list[str]:
    """Rows as aligned columns; columns from index `right_from` on are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _print_ticket_list(tickets: Sequence[ListedTicket], zone: ZoneInfo) -> None:
    if not tickets:
        print("no tickets")
        return
    rows = [
        [
            "NUMBER",
            "KIND",
            "TYPE/CATEGORY",
            "STATUS",
            "SEVERITY",
            "CREATED",
            "RESPOND BY",
            "RESOLVE BY",
            "",
        ]
    ]
    for listed in tickets:
        ticket = listed.ticket
        missed = [
            name
            for name, flag in (
                ("response", listed.response_overdue),
                ("resolution", listed.resolution_overdue),
            )
            if flag
        ]
        rows.append(
            [
                ticket.number,
                ticket.kind,
                # What the ticket is about: a complaint's category, an after-sales request's type.
                (ticket.category if ticket.kind == "complaint" else ticket.request_type) or "-",
                ticket.status,
                ticket.severity,
                _when(ticket.created_at, zone),
                "answered" if ticket.first_response_at else _when(ticket.first_response_due, zone),
                _when(ticket.resolution_due, zone),
                f"OVERDUE: {', '.join(missed)}" if missed else "",
            ]
        )
    print("\n".join(_table(rows)))
    print(f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}")


def _print_ticket(detail: TicketDetail, zone: ZoneInfo) -> None:
    ticket = detail.ticket
    fields = [
        ("ticket", f"{ticket.number}  {ticket.kind}  {ticket.status}"),
        ("chat", f"{detail.channel} {detail.user}"),
        ("customer", str(ticket.customer_id) if ticket.customer_id else "not verified"),
        ("order", detail.order_no or "-"),
        ("type", ticket.request_type or "-"),
        ("category", ticket.category or "-"),
        ("severity", ticket.severity),
    ]
    if ticket.kind == "after_sales":  # the after-sales policy; complaints have none
        policy = "within policy" if ticket.within_policy else "outside policy"
        if ticket.policy_note:
            policy += f": {ticket.policy_note}"
        fields.append(("policy", policy))
    fields += [
        ("reason", ticket.reason or "-"),
        ("description", ticket.description or "-"),
        ("media", ", ".join(ticket.media) if ticket.media else "-"),
        ("created", _when(ticket.created_at, zone)),
        (
            "first response",
            f"due {_when(ticket.first_response_due, zone)}, "
            f"given {_when(ticket.first_response_at, zone)}",
        ),
        (
            "resolution",
            f"due {_when(ticket.resolution_due, zone)}, done {_when(ticket.resolved_at, zone)}",
        ),
    ]
    width = max(len(label) for label, _ in fields) + 1
    for label, value in fields:
        _print_indented(f"{label + ':':<{width}} ", value)
    print("history:")
    for event in detail.events:
        _print_indented(f"  {_when(event.time, zone)}  {event.author:<8} ", _event_text(event))


def _event_text(event: TicketEvent) -> str:
    if event.kind == "note":
        if event.author == "customer":
            audience = "customer"  # the customer's own words: neither internal nor for them
        else:
            audience = "for the customer" if event.public else "internal"
        return f"note ({audience}): {event.text}"
    if event.kind == "created":
        return f"created as {event.to_status}"
    return f"{event.from_status} -> {event.to_status}"


def _print_indented(head: str, text: str) -> None:
    """`head` then `text`, its later lines indented to start under its first."""
    first, *rest = text.splitlines() or [""]
    print(f"{head}{first}".rstrip())
    for line in rest:
        print(f"{' ' * len(head)}{line}".rstrip())


def _print_update(update: TicketUpdate) -> None:
    ticket = update.detail.ticket
    if update.status_changed:
        print(f"{ticket.number}: now {ticket.status}")
    else:
        print(f"{ticket.number}: status {ticket.status}")
    if update.customer_message is None:
        print("nothing sent to the customer")
    else:
        print(f"sent to the customer ({update.detail.channel} {update.detail.user}):")
        for line in update.customer_message.splitlines():
            print(f"  {line}")


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


def _print_complaint_report(report: ComplaintReport, zone: ZoneInfo) -> None:
    print(
        f"complaints from {_when(report.since, zone)} to {_when(report.until, zone)}: "
        f"{report.total}"
    )
    severities = report.severities()
    rows = [["category", *severities, "total"]]
    for category in report.categories():
        counts = [report.counts.get((category, severity), 0) for severity in severities]
        rows.append([category, *map(str, counts), str(report.by_category(category))])
    rows.append(["total", *(str(report.by_severity(s)) for s in severities), str(report.total)])
    print()
    print("\n".join(_table(rows, right_from=1)))
    print()
    share = report.in_time_share
    in_time = "-" if share is None else f"{share:.0%}"
    median = report.median_time_to_resolve
    summary = [
        [
            "first response in time:",
            f"{in_time} ({report.answered_in_time} of {report.judged} answered or past due)",
        ],
        [
            "median time to resolve:",
            f"{'-' if median is None else _duration(median)} ({report.resolved} resolved)",
        ],
    ]
    print("\n".join(_table(summary)))
