"""Recurring jobs (DESIGN §6): each one a name, an interval and a coroutine, all run by one
APScheduler.

Every job runs once at start (what fell due while the process was down goes out at once) and
then every `every_seconds`. A run that fails is logged and the job runs again next time; a run
still going when the next one falls due is not doubled; when the block ends, runs still going
are cancelled and awaited.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A recurring job: its name (the scheduler's job id), how often it runs, one run of it."""

    name: str
    every_seconds: float
    run: Callable[[], Awaitable[object]]


@asynccontextmanager
async def running_jobs(jobs: Sequence[Job]) -> AsyncIterator[AsyncIOScheduler]:
    """An APScheduler running every job now and every `every_seconds`, until the block ends."""
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError(f"two jobs share a name: {names}")
    running: dict[str, asyncio.Task[None]] = {}
    scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
    for job in jobs:
        scheduler.add_job(
            _guarded(job, running),
            "interval",
            seconds=job.every_seconds,
            id=job.name,
            name=job.name,
            next_run_time=datetime.now(UTC),  # the catch-up run at start
            coalesce=True,  # runs missed while busy are one run, not a burst
            # A second instance may start, sees the first still going and returns at once
            # (see _guarded): with one, APScheduler would warn of every skipped run.
            max_instances=2,
            misfire_grace_time=None,
        )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        # APScheduler's asyncio scheduler stops on the loop's next turn (cancelling the runs
        # it started); let it, so that no run begins after the ones awaited here.
        await asyncio.sleep(0)
        tasks = list(running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _guarded(job: Job, running: dict[str, asyncio.Task[None]]) -> Callable[[], Awaitable[None]]:
    """One run of `job` that skips while another is going and logs, never raises, a failure."""

    async def run() -> None:
        if job.name in running:
            return  # the last run is still going: this one would only race it
        task = asyncio.current_task()
        assert task is not None
        running[job.name] = task
        try:
            await job.run()
        except Exception:  # a database hiccup must not stop the job for good
            log.exception("the %s job failed", job.name)
        finally:
            del running[job.name]

    return run
