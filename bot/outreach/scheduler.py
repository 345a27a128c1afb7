"""The scheduler (DESIGN §6): APScheduler is the clock, the database is the memory.

One interval job runs every `KEFU_SCHEDULER_TICK_SECONDS`, and once at start: it expires
unanswered visits, reminds staff of deadlines, schedules return reminders and care visits, and
sends what is due. Everything it acts on is a row, so a restart loses nothing, and what fell
due while the process was down goes out at the first run (after quiet hours, if it is night).
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.care_visits import schedule_care_visits
from bot.outreach.followup_delivery import ChannelReach, send_due_followups
from bot.outreach.reminders import remind_deadlines, schedule_return_reminders
from core.clock import Clock
from core.settings import Settings
from knowledge import ReplyTexts
from storage.repositories import Repositories

log = logging.getLogger(__name__)


async def expire_visits(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> int:
    """Visits unanswered for longer than the settings allow: expired. The number."""
    before = clock.now() - timedelta(hours=settings.visit_expire_hours)
    async with sessions() as session, session.begin():
        return await Repositories.for_session(session).followups.expire_visits(before)


async def run_followup_jobs(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
    reach: Mapping[str, ChannelReach],
) -> None:
    """One run of everything scheduled, in the order that keeps it consistent."""
    expired = await expire_visits(sessions, clock, settings)
    reminded = await remind_deadlines(sessions, clock, settings)
    returns = await schedule_return_reminders(sessions, clock, settings, texts)
    cares = await schedule_care_visits(sessions, clock, settings, texts)
    done = await send_due_followups(sessions, clock, settings, reach)
    if expired or reminded or returns or cares or done.any:
        log.info(
            "follow-ups: %d sent, %d skipped, %d undeliverable, %d released after quiet "
            "hours, %d visits expired, %d staff reminders, %d return reminders and %d care "
            "visits scheduled",
            done.sent,
            done.skipped,
            done.undeliverable,
            done.released,
            expired,
            reminded,
            returns,
            cares,
        )


@asynccontextmanager
async def running_scheduler(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
    reach: Mapping[str, ChannelReach],
    every_seconds: float,
) -> AsyncIterator[AsyncIOScheduler]:
    """An APScheduler running the follow-up jobs now and every `every_seconds`, until the
    block ends; a run still going then is cancelled and awaited."""
    running: set[asyncio.Task[None]] = set()

    async def tick() -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await run_followup_jobs(sessions, clock, settings, texts, reach)
        except Exception:  # a database hiccup must not stop the scheduler for good
            log.exception("the follow-up jobs failed")
        finally:
            running.discard(task)

    scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
    scheduler.add_job(
        tick,
        "interval",
        seconds=every_seconds,
        id="followups",
        name="follow-ups",
        next_run_time=datetime.now(UTC),  # the catch-up run at start
        coalesce=True,  # runs missed while busy are one run, not a burst
        max_instances=1,
        misfire_grace_time=None,
    )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        for task in list(running):
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
