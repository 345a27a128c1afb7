"""`python -m bot run`: serve the web chat, the API and the staff console."""

import argparse
import asyncio
import logging
import signal

from aiohttp import web

from bot.app import create_app, start_services
from bot.desk.demo_admin import DEMO_ADMIN, create_demo_admin
from bot.services import Services
from bot.web.access_log import RedactingAccessLogger
from core.clock import Clock
from core.settings import Settings

# Seconds between two outbox deliveries while serving.
OUTBOX_EVERY_SECONDS = 1.0
# Seconds between two runs of the handover jobs: queued chats wait at most this for an agent.
HANDOVER_JOBS_EVERY_SECONDS = 2.0


def add_serve_command(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="serve the web chat and API")
    run.add_argument("--host", help="listen address (default KEFU_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default KEFU_PORT or 8080)")


async def serve(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """Serve until SIGTERM (or Ctrl-C); the services keep their own system clock."""
    host, port = args.host, args.port
    # APScheduler logs every run of a job; ours logs what a run did, when it did anything.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    services = await start_services(settings)
    if settings.demo:
        await first_admin_for_the_demo(services)
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


async def first_admin_for_the_demo(services: Services) -> None:
    """With the demo shop and no staff yet, an admin with a one-time password to try the
    console; a real shop creates its accounts with `staff add`. The password goes to a
    private file, not to the output, which a service manager keeps in its logs."""
    path = await create_demo_admin(services.sessions, services.clock, services.settings)
    if path is not None:
        print(
            f"console sign-in for the demo: {DEMO_ADMIN}, with the one-time password in {path}",
            flush=True,
        )
