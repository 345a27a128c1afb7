"""The command line: run the server, chat in the terminal, import orders and FAQ."""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from aiohttp import web

from bot.app import create_app, prepare_database, start_services
from bot.channels.console import chat_in_terminal
from bot.clock import SystemClock
from bot.importing import ImportReport, import_faq, import_orders
from bot.settings import Settings


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    return asyncio.run(_import(settings, args.kind, args.file))


async def _run(settings: Settings, host: str | None, port: int | None) -> int:
    services = await start_services(settings)
    runner = web.AppRunner(create_app(services))
    await runner.setup()
    site = web.TCPSite(runner, host or settings.host, port or settings.port)
    await site.start()
    print(f"kefu is serving on http://{host or settings.host}:{port or settings.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await services.close()
    return 0


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
