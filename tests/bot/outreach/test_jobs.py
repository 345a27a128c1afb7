"""The recurring jobs' runner: every job runs at start and again, a failure does not stop it, a
slow run is not doubled, and a run still going at the end is cancelled."""

import asyncio
import logging

import pytest

from bot.outreach.jobs import Job, running_jobs

EVERY = 0.01


async def until(event: asyncio.Event) -> None:
    """Wait for `event` (the jobs run on the wall clock); fail after ten seconds."""
    await asyncio.wait_for(event.wait(), 10)


async def test_every_job_runs_at_start_and_again() -> None:
    runs = {"a": 0, "b": 0}
    both_ran_twice = asyncio.Event()

    def job(name: str) -> Job:
        async def run() -> None:
            runs[name] += 1
            if min(runs.values()) >= 2:
                both_ran_twice.set()

        return Job(name, EVERY, run)

    async with running_jobs([job("a"), job("b")]) as scheduler:
        assert {j.id for j in scheduler.get_jobs()} == {"a", "b"}
        await until(both_ran_twice)
    assert not scheduler.running


async def test_a_failing_run_is_logged_and_the_job_runs_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tries = 0
    recovered = asyncio.Event()

    async def flaky() -> None:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise ConnectionError("database gone")
        recovered.set()

    with caplog.at_level(logging.ERROR, logger="bot.outreach.jobs"):
        async with running_jobs([Job("flaky", EVERY, flaky)]):
            await until(recovered)
    assert "the flaky job failed" in caplog.text
    assert "database gone" in caplog.text


async def test_a_slow_run_is_not_doubled_and_is_cancelled_at_the_end() -> None:
    started = 0
    in_progress = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow() -> None:
        nonlocal started
        started += 1
        in_progress.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async with running_jobs([Job("slow", EVERY, slow)]):
        await until(in_progress)
        await asyncio.sleep(EVERY * 20)  # many intervals pass while the first run goes on
        assert started == 1
    assert cancelled.is_set()


async def test_two_jobs_may_not_share_a_name() -> None:
    async def nothing() -> None:
        return None

    with pytest.raises(ValueError, match="share a name"):
        async with running_jobs([Job("same", 1, nothing), Job("same", 1, nothing)]):
            pass
