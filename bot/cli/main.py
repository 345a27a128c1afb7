"""The command line: run the server, chat in the terminal, import orders, products and FAQ,
work tickets and read reports. Each command lives in its own module; COMMANDS maps the names."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.cli.chat import add_chat_command, chat
from bot.cli.customer import add_customer_commands, customers_show
from bot.cli.imports import add_import_command, import_file
from bot.cli.remind import add_remind_command, remind
from bot.cli.report import add_report_command, report
from bot.cli.schema import add_schema_commands, upgrade_database
from bot.cli.serve import add_serve_command, serve
from bot.cli.staff import add_staff_commands, staff_add
from bot.cli.tickets import add_ticket_commands, check_ticket_arguments, tickets
from core.clock import Clock, SystemClock
from core.settings import Settings

Run = Callable[[Settings, Clock, argparse.Namespace], Awaitable[int]]
Check = Callable[[argparse.ArgumentParser, argparse.Namespace], None]


@dataclass(frozen=True)
class Command:
    """One `python -m bot NAME …`: how it parses its arguments and what it runs."""

    add_parser: Callable[[argparse._SubParsersAction], None]
    run: Run
    # Only warnings are logged: the command's own output is what the user reads.
    quiet: bool = True
    # Arguments argparse cannot check alone, refused before anything runs.
    check: Check | None = None
    # Ctrl-C is how a server is stopped: it ends with 0 rather than a traceback.
    ends_on_interrupt: bool = False


# In the order `--help` lists them.
COMMANDS = {
    "run": Command(add_serve_command, serve, quiet=False, ends_on_interrupt=True),
    "db": Command(add_schema_commands, upgrade_database, quiet=False),
    "chat": Command(add_chat_command, chat),
    "import": Command(add_import_command, import_file, quiet=False),
    "tickets": Command(add_ticket_commands, tickets, check=check_ticket_arguments),
    "staff": Command(add_staff_commands, staff_add),
    "remind": Command(add_remind_command, remind),
    "customers": Command(add_customer_commands, customers_show),
    "report": Command(add_report_command, report),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="kefu customer service")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None, clock: Clock | None = None) -> int:
    """Run a command; `clock` is for tests (default: the system clock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = COMMANDS[args.command]
    if command.check is not None:
        command.check(parser, args)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if command.quiet:
        logging.getLogger().setLevel(logging.WARNING)
    try:
        return asyncio.run(command.run(settings, clock or SystemClock(), args))
    except KeyboardInterrupt:
        if command.ends_on_interrupt:
            return 0
        raise
