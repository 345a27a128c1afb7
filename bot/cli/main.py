"""The command line: run the server, chat in the terminal, import orders, products and FAQ,
work tickets and read reports."""

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from bot.app import create_app, prepare_database, start_services
from bot.channels.console import chat_in_terminal
from bot.channels.user_ids import InvalidUserId
from bot.cli.customer import add_customer_commands, customers_show
from bot.cli.remind import add_remind_command, remind
from bot.cli.staff import add_staff_commands, staff_add
from bot.cli.ticket_printing import (
    print_complaint_report,
    print_satisfaction_report,
    print_ticket,
    print_ticket_list,
    print_update,
)
from bot.desk.actor import Actor
from bot.desk.demo_admin import DEMO_ADMIN, create_demo_admin
from bot.desk.importing import (
    ImportReport,
    NewsSettings,
    import_faq,
    import_orders,
    import_products,
    import_products_csv,
)
from bot.desk.reports import complaint_report
from bot.desk.satisfaction_report import satisfaction_report
from bot.desk.tickets import (
    ReturnNotApprovable,
    TicketNotFound,
    approve_return,
    list_tickets,
    show_ticket,
    update_ticket,
)
from bot.services import Services
from bot.web.access_log import RedactingAccessLogger
from core.clock import Clock, SystemClock
from core.settings import Settings
from knowledge.replies import shop_texts
from storage.database import create_engine, migrate
from storage.models import TICKET_KINDS, TICKET_STATUSES

# Seconds between two outbox deliveries while serving.
OUTBOX_EVERY_SECONDS = 1.0
# Seconds between two runs of the handover jobs: queued chats wait at most this for an agent.
HANDOVER_JOBS_EVERY_SECONDS = 2.0
# The longest period a report covers: ten years (a bigger one would overflow the dates).
MAX_REPORT_DAYS = 3650


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="kefu customer service")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the web chat and API")
    run.add_argument("--host", help="listen address (default KEFU_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default KEFU_PORT or 8080)")
    database = commands.add_parser("db", help="the database schema")
    database_actions = database.add_subparsers(dest="action", required=True)
    database_actions.add_parser("upgrade", help="apply the schema migrations (also done by run)")
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal")
    chat.add_argument("--user", default="terminal", help="your chat id (default: terminal)")
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
    _add_ticket_commands(commands)
    add_staff_commands(commands)
    add_remind_command(commands)
    add_customer_commands(commands)
    report = commands.add_parser("report", help="print a report")
    report.add_argument("kind", choices=("complaints", "satisfaction"))
    report.add_argument(
        "--days",
        type=_report_days,
        default=30,
        help=f"over the last N days, at most {MAX_REPORT_DAYS} (default 30)",
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
    update.add_argument(
        "--approve-return",
        action="store_true",
        help="approve a return or exchange: the customer is sent the return address "
        "(KEFU_RETURN_ADDRESS) and the ticket waits for their parcel",
    )


def _report_days(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if not 1 <= value <= MAX_REPORT_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_REPORT_DAYS}: {raw!r}")
    return value


def main(argv: list[str] | None = None, clock: Clock | None = None) -> int:
    """Run a command; `clock` is for tests (default: the system clock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "tickets" and args.action == "update":
        if args.approve_return and args.status is not None:
            parser.error("tickets update: --approve-return sets the status; leave out --status")
        if args.status is None and args.note is None and not args.approve_return:
            parser.error("tickets update: give --status, --note or --approve-return")
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
    if args.command == "db":
        return asyncio.run(_upgrade_database(settings))
    if args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(_chat(settings, args.user))
    if args.command == "staff":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(staff_add(settings, clock or SystemClock(), args))
    if args.command == "remind":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(remind(settings, clock or SystemClock(), args))
    if args.command == "customers":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(customers_show(settings, clock or SystemClock(), args))
    if args.command in ("tickets", "report"):
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(_staff_command(settings, clock or SystemClock(), args))
    return asyncio.run(_import(settings, clock or SystemClock(), args))


async def _upgrade_database(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        revision = await migrate(engine)
    finally:
        await engine.dispose()
    print(f"database schema at revision {revision}")
    return 0


async def _run(settings: Settings, host: str | None, port: int | None) -> int:
    # APScheduler logs every run of a job; ours logs what a run did, when it did anything.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    services = await start_services(settings)
    if settings.demo:
        await _first_admin_for_the_demo(services)
    app = create_app(
        services,
        deliver_outbox_every=OUTBOX_EVERY_SECONDS,
        handover_jobs_every=HANDOVER_JOBS_EVERY_SECONDS,
        followups_every=settings.scheduler_tick_seconds,
    )
    runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
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
    console; a real shop creates its accounts with `staff add`. The password goes to a
    private file, not to the output, which a service manager keeps in its logs."""
    path = await create_demo_admin(services.sessions, services.clock, services.settings)
    if path is not None:
        print(
            f"console sign-in for the demo: {DEMO_ADMIN}, with the one-time password in {path}",
            flush=True,
        )


async def _chat(settings: Settings, user: str) -> int:
    services = await start_services(settings)
    try:
        await chat_in_terminal(services.assistant, services.clock, user)
    except InvalidUserId as error:
        print(f"--user: {error}", file=sys.stderr)
        return 2
    finally:
        await services.close()
    return 0


async def _import(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    kind, path = args.kind, args.file
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    # A shop's own data goes into its database alone: the demo orders are for trying kefu out.
    engine, sessions = await prepare_database(settings, clock, load_demo=False)
    try:
        if kind == "orders":
            texts = shop_texts(settings)
            news = NewsSettings(settings, texts, clock.now())
            # Bytes, decoded line by line, so one line of bad UTF-8 is reported and skipped.
            with path.open("rb") as handle:
                report = await import_orders(sessions, handle, news, args.allow_owner_change)
        elif kind == "products" and path.suffix.lower() == ".csv":
            report = await import_products_csv(sessions, path.read_bytes(), clock.now())
        elif kind == "products":
            with path.open("rb") as handle:
                report = await import_products(sessions, handle, clock.now())
        else:
            report = await import_faq(sessions, path, clock.now())
    except (ValueError, OSError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        print(f"{kind}: nothing imported")
        return 1
    finally:
        await engine.dispose()
    _print_report(kind, path, report)
    return 1 if report.errors else 0


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


async def _staff_command(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """`tickets …` and `report …`, on the shop's database as it is (never the demo shop)."""
    engine, sessions = await prepare_database(settings, clock, load_demo=False)
    zone = settings.zone
    try:
        if args.command == "report" and args.kind == "satisfaction":
            print_satisfaction_report(await satisfaction_report(sessions, clock, args.days), zone)
        elif args.command == "report":
            print_complaint_report(await complaint_report(sessions, clock, args.days), zone)
        elif args.action == "list":
            tickets = await list_tickets(
                sessions, clock, status=args.status, kind=args.kind, overdue=args.overdue
            )
            print_ticket_list(tickets, zone)
        elif args.action == "show":
            print_ticket(await show_ticket(sessions, args.number), zone)
        else:
            texts = shop_texts(settings)
            if args.approve_return:
                update = await approve_return(
                    sessions,
                    args.number,
                    note=args.note,
                    public=args.public,
                    actor=Actor.command_line(clock.now()),
                    texts=texts,
                    settings=settings,
                )
            else:
                update = await update_ticket(
                    sessions,
                    args.number,
                    status=args.status,
                    note=args.note,
                    public=args.public,
                    actor=Actor.command_line(clock.now()),
                    texts=texts,
                    settings=settings,
                )
            print_update(update)
    except TicketNotFound:
        print(f"no ticket numbered {args.number}", file=sys.stderr)
        return 1
    except ReturnNotApprovable as refusal:
        print(f"tickets update: {refusal}", file=sys.stderr)
        return 1
    except ValueError as error:  # e.g. a note of blanks only: nothing to update
        command = f"tickets {args.action}" if args.command == "tickets" else args.command
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    return 0
