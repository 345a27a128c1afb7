"""The follow-up jobs (DESIGN §6): APScheduler is the clock, the database is the memory.

The application runs them as one job (see bot.outreach.jobs) every
`KEFU_SCHEDULER_TICK_SECONDS`, and once at start: it expires unanswered visits, reminds staff
of deadlines, schedules return reminders and care visits, and sends what is due. Everything
it acts on is a row, so a restart loses nothing, and what fell due while the process was down
goes out at the first run (after quiet hours, if it is night).
"""

import logging
from collections.abc import Mapping
from datetime import timedelta

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
