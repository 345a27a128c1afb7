"""How the scheduler copes with a big backlog of satisfaction visits.

Fills a SQLite file database with N customers' chats, schedules one visit for each (through
`FollowUpRepository.schedule_many`, as the order import does), then dispatches every one that
is due (claim, the visit rules, an outbox row each) and prints the time to schedule, rows
delivered per second and peak memory. For comparison in the same run it writes the same
number of outbox rows directly, in transactions of the same size (no claim, no rules): the
ceiling for this database.

    .venv/bin/python bench/scheduler_bench.py [--visits 100000]
"""

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.app import prepare_database
from bot.outreach.followup_delivery import CLAIM, send_due_followups
from core.settings import Settings
from storage.models import Conversation, Identity
from storage.repositories import Repositories
from storage.repositories.outbox import OutboxEntry

START = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
BATCH = 1000


class StillClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


async def add_chats(sessions, customers: int) -> list[int]:  # type: ignore[no-untyped-def]
    """N chat identities with a conversation each; their ids. Set-up, not measured."""
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Identity),
            [
                {
                    "channel": "web",
                    "external_id": f"customer{n}",
                    "failed_verifications": 0,
                    "created_at": START,
                }
                for n in range(customers)
            ],
        )
        ids = list(
            (
                await session.scalars(Identity.__table__.select().with_only_columns(Identity.id))
            ).all()
        )
        await session.execute(
            insert(Conversation),
            [{"identity_id": i, "mode": "bot", "memory": {}, "updated_at": START} for i in ids],
        )
    return ids


async def main(visits: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="kefu-scheduler-bench-"))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'kefu.db'}", data_dir=folder, demo=False
    )
    clock = StillClock(START)
    engine, sessions = await prepare_database(settings, clock, load_demo=False)
    try:
        identities = await add_chats(sessions, visits)

        started = time.perf_counter()
        for first in range(0, visits, BATCH):
            async with sessions() as session, session.begin():
                await Repositories.for_session(session).followups.schedule_many(
                    [
                        {
                            "kind": "visit",
                            "subject": f"order:{n}:visit",
                            "identity_id": identities[n],
                            "text": "亲，这次购物还满意吗？回复 1～5 分就好～",
                            "due_at": START + timedelta(days=3, seconds=n % 3600),
                            "created_at": START,
                        }
                        for n in range(first, min(first + BATCH, visits))
                    ]
                )
        scheduling = time.perf_counter() - started

        clock.moment = START + timedelta(days=3, hours=2)  # 13:00, every visit due
        tracemalloc.start()
        started = time.perf_counter()
        done = await send_due_followups(sessions, clock, settings, {})
        dispatching = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        started = time.perf_counter()
        for first in range(0, visits, CLAIM):
            async with sessions() as session, session.begin():
                await Repositories.for_session(session).outbox.add_many(
                    [
                        OutboxEntry(identities[n], identities[n], "直接写入")
                        for n in range(first, min(first + CLAIM, visits))
                    ],
                    clock.now(),
                )
        direct = time.perf_counter() - started
    finally:
        await engine.dispose()

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"visits: {visits}, SQLite file")
    print(f"schedule:  {scheduling:7.2f} s   {visits / scheduling:9.0f} visits/s")
    print(
        f"dispatch:  {dispatching:7.2f} s   {done.sent / dispatching:9.0f} delivered/s "
        f"({done.sent} sent, {done.skipped} skipped)"
    )
    print(f"ceiling:   {direct:7.2f} s   {visits / direct:9.0f} outbox rows/s written directly")
    print(f"dispatch / direct outbox writes: {direct / dispatching:.2f}")
    print(f"peak traced memory while dispatching: {peak / 1e6:.1f} MB")
    print(f"process peak RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().visits))
