"""The scheduler in a running application: it catches up at start, survives a restart without
sending anything twice, and two processes on one database share the work."""

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import create_app, start_services
from bot.outreach.scheduler import run_followup_jobs
from bot.services import Services
from core.settings import Settings
from storage.models import FollowUp, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock
from tests.support.followups import FollowUpDesk

ROOT = Path(__file__).resolve().parents[3]
# A run of the scheduler's job every few hundredths of a second: the tests wait for its
# effects, never for a fixed time.
TICK = 0.02


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Wait until `check()` holds, polling; fail after `seconds`."""
    for _ in range(int(seconds / TICK)):
        if await check():
            return
        await asyncio.sleep(TICK)
    raise AssertionError("the scheduler did not get there")


async def count(services: Services, model: type, *where: object) -> int:
    async with services.sessions() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return await session.scalar(query) or 0


async def visit_five_customers(chat: Chat, followups: FollowUpDesk, due_in: timedelta) -> None:
    for n in range(5):
        await followups.schedule(
            chat.as_user(f"customer{n}"), f"order:{n}:visit", due=START + due_in
        )


async def a_run_happened(services: Services, clock: FakeClock, name: str) -> None:
    """Wait for a run of the scheduler: a staff message due now has gone out."""
    chat = Chat(services, clock, user=name)
    await FollowUpDesk(services, clock).schedule(chat, f"message:{name}", kind="message")

    async def sent() -> bool:
        return (
            await count(
                services, FollowUp, FollowUp.subject == f"message:{name}", FollowUp.status == "sent"
            )
            == 1
        )

    await eventually(sent)


async def test_visits_due_while_the_process_was_down_are_sent_once_after_the_restart(
    settings: Settings, clock: FakeClock
) -> None:
    first = await start_services(settings, clock)
    await visit_five_customers(Chat(first, clock), FollowUpDesk(first, clock), timedelta(days=1))
    async with TestServer(create_app(first, followups_every=TICK)):
        # The scheduler runs, sends only what is due, and is stopped with the application.
        await a_run_happened(first, clock, "before")
    assert await count(first, FollowUp, FollowUp.kind == "visit", FollowUp.status == "sent") == 0
    await first.close()

    clock.advance(days=2)  # 11:00 in Shanghai, two days on
    second = await start_services(settings, clock)
    try:
        async with TestServer(create_app(second, followups_every=TICK)):

            async def all_sent() -> bool:
                return await count(second, FollowUp, FollowUp.status == "sent") == 6

            await eventually(all_sent)
            # Later runs find nothing more to do.
            await a_run_happened(second, clock, "after")
        visits = await count(second, OutboxMessage, OutboxMessage.sender == "bot")
        assert visits == 5
    finally:
        await second.close()


async def test_a_visit_nobody_answers_expires_after_two_days(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await followups.schedule(chat, "order:1:visit")
    jobs = (services.sessions, clock, services.settings, services.assistant.texts, {})
    await run_followup_jobs(*jobs)

    clock.advance(hours=47)
    await run_followup_jobs(*jobs)
    assert (await followups.get("order:1:visit")).status == "sent"
    clock.advance(hours=2)
    await run_followup_jobs(*jobs)
    assert (await followups.get("order:1:visit")).status == "expired"


# One worker process: waits for the signal to go, sends what is due, prints how many.
WORKER = """
import asyncio, pathlib, time
from core.clock import SystemClock
from bot.outreach.followup_delivery import send_due_followups
from core.settings import Settings
from storage.database import create_engine, create_session_factory

async def main():
    settings = Settings.from_env()
    engine = create_engine(settings.database_url)
    while not pathlib.Path("go").exists():
        time.sleep(0.005)
    done = await send_due_followups(create_session_factory(engine), SystemClock(), settings, {}, 7)
    await engine.dispose()
    print(done.sent)

asyncio.run(main())
"""


async def test_two_processes_on_one_database_send_every_followup_exactly_once(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    rows = 400
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        long_ago = START - timedelta(days=30)  # due by any real clock
        batch = []
        for n in range(rows):
            identity = await repos.identities.get_or_create("web", f"customer{n}", long_ago)
            batch.append(
                {
                    "kind": "shipping_notice",
                    "subject": f"order:{n}:shipped:SF{n}",
                    "identity_id": identity.id,
                    "text": f"您的包裹 SF{n} 已发出",
                    "due_at": long_ago,
                    "created_at": long_ago,
                }
            )
        assert await repos.followups.schedule_many(batch) == rows
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KEFU_DATABASE_URL": services.settings.database_url,
        "KEFU_QUIET_HOURS": "",  # the real clock may be at night
    }
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    (tmp_path / "go").touch()
    outputs = [await worker.communicate() for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0]
    sent = [int(out.decode()) for out, _ in outputs]
    assert sum(sent) == rows
    assert await count(services, OutboxMessage) == rows
    async with services.sessions() as session:
        per_followup = await session.execute(
            select(OutboxMessage.text, func.count()).group_by(OutboxMessage.text)
        )
        assert {n for _, n in per_followup.all()} == {1}
