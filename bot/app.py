"""Wiring: settings in, a running assistant and web application out. The one place that
knows every part."""

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Protocol

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.web import WebChannel
from bot.channels.wechat_mp import mp_channel
from bot.channels.wechaty import wechaty_channel
from bot.channels.wecom_kf import wecom_kf_channel
from bot.console import mount_console
from bot.desk.handover import run_handover_jobs
from bot.desk.importing import import_faq
from bot.outreach.followup_delivery import ChannelReach
from bot.outreach.jobs import Job, running_jobs
from bot.outreach.outbox import ChannelSender, deliver_outbox
from bot.outreach.scheduler import run_followup_jobs
from bot.pipeline.assistant import Assistant
from bot.pipeline.faq_source import FaqSource
from bot.pipeline.product_source import ProductSource
from bot.pipeline.router import default_router
from bot.services import Services
from bot.web.page_headers import protect_pages
from core.clock import Clock, SystemClock
from core.enums import ChannelName
from core.settings import Settings
from knowledge.canned_examples import load_canned_examples
from knowledge.loaders import DEFAULT_FAQ
from knowledge.replies import shop_texts
from storage.database import check_database, create_engine, create_session_factory, migrate
from storage.demo import demo_catalogue, demo_orders
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# The scheduler running the application's recurring jobs, when it has any.
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
# The names of the recurring jobs, as the scheduler knows them.
OUTBOX_JOB = "outbox"
HANDOVER_JOB = "handover"
FOLLOWUPS_JOB = "followups"


async def prepare_database(
    settings: Settings, clock: Clock, *, load_demo: bool
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """Migrate the schema, load the default FAQ into an empty one, and the demo shop if asked."""
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    try:
        await migrate(engine)
        async with sessions() as session:
            faq_count = await Repositories.for_session(session).faq.count()
        if faq_count == 0:
            path = settings.faq_file or DEFAULT_FAQ
            report = await import_faq(sessions, path, clock.now())
            for line, problem in report.errors:  # the good entries are in: fix and import again
                log.warning("FAQ %s:%d skipped: %s", path, line, problem)
        if load_demo:
            await load_demo_shop(sessions, clock)
    except BaseException:
        await engine.dispose()
        raise
    return engine, sessions


async def load_demo_shop(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """Add the demo catalogue, orders and example canned replies once; a database that has them
    already is left alone.

    A demo database from before the catalogue existed gets the catalogue alone.
    """
    records = demo_orders(clock.now())
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        if not await repos.products.catalogue():
            for product in demo_catalogue(clock.now()):
                await repos.products.upsert(product, clock.now())
        if await repos.orders.by_number(records[0].order_no) is not None:
            return
        for record in records:
            await repos.orders.upsert(record)
        if not await repos.canned.all():
            for example in load_canned_examples():
                await repos.canned.save(None, example.title, example.text, clock.now())
    log.info("demo shop loaded: %d orders", len(records))


async def start_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the database and build the assistant."""
    clock = clock or SystemClock()
    engine, sessions = await prepare_database(settings, clock, load_demo=settings.demo)
    async with sessions() as session:
        faq = await FaqSource.load(Repositories.for_session(session))
    assistant = Assistant(
        sessions=sessions,
        router=default_router(),
        faq=faq,
        products=ProductSource(faq.synonyms),
        texts=shop_texts(settings),
        clock=clock,
        settings=settings,
    )
    return Services(settings, clock, engine, sessions, assistant)


def create_app(
    services: Services,
    *,
    deliver_outbox_every: float | None = None,
    handover_jobs_every: float | None = None,
    followups_every: float | None = None,
) -> web.Application:
    """The aiohttp application: health check, the web chat, the configured messaging platforms
    and the staff console.

    With `deliver_outbox_every` / `handover_jobs_every` / `followups_every` (seconds) the
    application also delivers the outbox / assigns queued chats and hands idle ones back /
    runs the scheduler, in the background while it runs; tests leave them off and run them
    by hand with a fake clock.
    """
    app = web.Application(client_max_size=1024 * 1024)
    protect_pages(app)

    async def healthz(_request: web.Request) -> web.Response:
        try:
            await check_database(services.engine)
        except Exception:  # a database that cannot be reached or written is "not healthy"
            log.exception("health check failed")
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    web_channel = WebChannel(services.assistant, services.clock, services.settings)
    web_channel.mount(app)
    platforms = platform_channels(services)
    for channel in platforms.values():
        channel.mount(app)
    mount_console(app, services)
    jobs = recurring_jobs(
        services,
        web_channel,
        platforms,
        deliver_outbox_every=deliver_outbox_every,
        handover_jobs_every=handover_jobs_every,
        followups_every=followups_every,
    )
    if jobs:
        app.cleanup_ctx.append(_running(jobs))
    return app


class PlatformChannel(ChannelSender, ChannelReach, Protocol):
    """A messaging platform's channel: its callback routes, delivery and window."""

    def mount(self, app: web.Application) -> None: ...


def platform_channels(services: Services) -> dict[str, PlatformChannel]:
    """The messaging platforms configured in the settings, by channel name."""
    found: dict[str, PlatformChannel | None] = {
        ChannelName.WECHAT_MP: mp_channel(services),
        ChannelName.WECOM_KF: wecom_kf_channel(services),
        ChannelName.WECHATY: wechaty_channel(services),
    }
    return {name: channel for name, channel in found.items() if channel is not None}


def recurring_jobs(
    services: Services,
    web_channel: WebChannel,
    platforms: Mapping[str, PlatformChannel],
    *,
    deliver_outbox_every: float | None,
    handover_jobs_every: float | None,
    followups_every: float | None,
) -> list[Job]:
    """The job registry: every recurring job the application runs, each one asked for by its
    interval (seconds)."""
    jobs: list[Job] = []
    if deliver_outbox_every is not None:
        # The terminal chat stores what it is sent, as the web chat does, so the web chat's
        # sender serves both: the messages are in the conversation for whoever reads it next.
        senders: dict[str, ChannelSender] = {
            ChannelName.WEB: web_channel,
            ChannelName.CONSOLE: web_channel,
            **platforms,
        }
        reported: set[str] = set()  # channels without a sender, logged once per process
        jobs.append(
            Job(
                OUTBOX_JOB,
                deliver_outbox_every,
                lambda: deliver_outbox(
                    services.sessions, senders, services.clock, reported_channels=reported
                ),
            )
        )
    texts = services.assistant.texts
    if handover_jobs_every is not None:
        jobs.append(
            Job(
                HANDOVER_JOB,
                handover_jobs_every,
                lambda: run_handover_jobs(
                    services.sessions, services.clock, services.settings, texts
                ),
            )
        )
    if followups_every is not None:
        # Platforms that may message customers only for a while after they wrote (the
        # Official Account, WeCom) say so; the web chat has no such window.
        reach: Mapping[str, ChannelReach] = platforms
        jobs.append(
            Job(
                FOLLOWUPS_JOB,
                followups_every,
                lambda: run_followup_jobs(
                    services.sessions, services.clock, services.settings, texts, reach
                ),
            )
        )
    return jobs


def _running(jobs: list[Job]) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running `jobs` on one scheduler for as long as the application runs."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        async with running_jobs(jobs) as scheduler:
            app[SCHEDULER] = scheduler
            yield

    return run
