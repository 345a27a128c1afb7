"""A bot process killed with SIGKILL in the middle of a load loses nothing it acknowledged,
and after a restart no outbox row is lost or delivered twice."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import start_services
from core.messages import Incoming
from core.settings import Settings
from storage.models import Message, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.outbox import OutboxEntry
from tests.postgres_server import free_port
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
NOTICES = 60
CUSTOMERS = 10
KILL_AFTER = 40  # acknowledged messages


class BotProcess:
    """`python -m bot run` on the test's database, as a shop would run it."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "KEFU_DATABASE_URL": settings.database_url,
            "KEFU_DATA_DIR": str(settings.data_dir),
            "KEFU_DEMO": "1",
            "KEFU_RATE_LIMIT_MESSAGES": "100000",
        }
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--port", str(self.port),
                cwd=ROOT, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the bot did not start: {self.log.read_text()[-2000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(sig)
            await self.process.wait()


@pytest.fixture
async def bot(settings: Settings, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(settings, tmp_path / "bot.log")
    yield process
    await process.stop()


async def queue_notices(settings: Settings, clock: FakeClock) -> None:
    """Outbox rows due now for a few customers, each text unique."""
    services = await start_services(settings, clock)
    try:
        for n in range(3):
            await services.assistant.handle(Incoming("web", f"n{n}", "你好", clock.now(), "hi"))
        async with services.sessions() as session, session.begin():
            repos = Repositories.for_session(session)
            conversations = [
                await repos.conversations.for_identity(
                    (await repos.identities.find("web", f"n{n}")).id,  # type: ignore[union-attr]
                    clock.now(),
                )
                for n in range(3)
            ]
            entries = [
                OutboxEntry(c.identity_id, c.id, f"您的包裹有新动态 #{n}")
                for n, c in zip(range(NOTICES), conversations * NOTICES, strict=False)
            ]
            await repos.outbox.add_many(entries, clock.now())
    finally:
        await services.close()


async def customer(http: aiohttp.ClientSession, url: str, user: str, acked: list[str]) -> None:
    """Sends until the process dies, keeping the ids of the messages that got a 200."""
    texts = ("你好", "付款后多久发货", "我的订单到哪了", "可以开发票吗", "运费怎么算")
    for n in range(1000):
        message_id = f"{user}-{n}"
        try:
            payload = {"user": user, "text": texts[n % len(texts)], "id": message_id}
            async with http.post(f"{url}/api/chat", json=payload) as response:
                if response.status != 200:
                    return
                await response.json()
        except (TimeoutError, aiohttp.ClientError):
            return
        acked.append(message_id)


async def delivery_state(
    sessions: async_sessionmaker[AsyncSession], acked: list[str]
) -> tuple[list[Any], list[OutboxMessage], list[str]]:
    """The acknowledged messages' counts, the outbox rows and the notices' sent texts."""
    async with sessions() as session:
        stored = (
            await session.execute(
                select(Message.external_id, func.count())
                .where(Message.direction == "in", Message.external_id.in_(acked))
                .group_by(Message.external_id)
            )
        ).all()
        rows = (await session.scalars(select(OutboxMessage))).all()
        sent_texts = (
            await session.scalars(select(Message.text).where(Message.text.like("您的包裹%")))
        ).all()
    return list(stored), list(rows), list(sent_texts)


async def test_nothing_acknowledged_is_lost_and_nothing_is_sent_twice(
    bot: BotProcess, settings: Settings, clock: FakeClock
) -> None:
    await queue_notices(settings, clock)
    await bot.start()
    acked: list[str] = []
    async with aiohttp.ClientSession() as http:
        load = [
            asyncio.create_task(customer(http, bot.url, f"c{n}", acked)) for n in range(CUSTOMERS)
        ]
        while len(acked) < KILL_AFTER and not all(task.done() for task in load):
            await asyncio.sleep(0.01)
        await bot.stop(signal.SIGKILL)
        await asyncio.gather(*load)
    assert len(acked) >= KILL_AFTER
    await bot.start()  # the restart: migrations, outbox delivery and all
    await asyncio.sleep(2)  # a couple of outbox rounds

    services = await start_services(settings, clock)
    try:
        # On a busy machine the restarted process may still be delivering: a row read between
        # being sent and being marked sent is no double delivery, so read once nothing moves.
        previous = None
        for _ in range(60):
            stored, rows, sent_texts = await delivery_state(services.sessions, acked)
            state = (stored, [(row.id, row.status) for row in rows], sorted(sent_texts))
            if state == previous:
                break
            previous = state
            await asyncio.sleep(0.5)
    finally:
        await services.close()
    assert dict(stored) == dict.fromkeys(acked, 1)
    notices = [row for row in rows if row.text.startswith("您的包裹")]
    assert len(notices) == NOTICES  # none lost
    for row in notices:
        copies = sent_texts.count(row.text)
        # Sent once, or still waiting (a row claimed when the process died is taken again
        # when its lease runs out): never twice.
        assert (row.status, copies) in {("sent", 1), ("pending", 0), ("sending", 0)}, row.text
    assert any(row.status == "sent" for row in notices)
