"""Shared fixtures: a fake clock, a file-backed SQLite database with the demo shop, the
assistant, a transcript-style chat and an HTTP client for the web application."""

import os
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app, start_services
from bot.services import Services
from core.messages import Incoming
from core.settings import Settings
from storage.models import Conversation, Identity
from tests.support.database import Templates, template_key

START = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
# A PostgreSQL server to run every test on instead of SQLite (see `database_url`).
POSTGRES = os.environ.get("KEFU_TEST_POSTGRES", "")


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


@dataclass
class Chat:
    """A customer chatting on the web channel: say something, get the reply texts back."""

    services: Services
    clock: FakeClock
    user: str = "alice"
    channel: str = "web"

    async def say(self, text: str, message_id: str | None = None) -> list[str]:
        incoming = Incoming(self.channel, self.user, text, self.clock.now(), message_id)
        return [reply.text for reply in await self.services.assistant.handle(incoming)]

    async def ask(self, text: str) -> str:
        """The replies to one message joined into one text."""
        return "\n".join(await self.say(text))

    async def ask_with_id(self, text: str, message_id: str) -> str:
        return "\n".join(await self.say(text, message_id))

    def as_user(self, user: str) -> "Chat":
        return Chat(self.services, self.clock, user, self.channel)

    async def conversation(self) -> Conversation:
        """This customer's conversation as stored now."""
        async with self.services.sessions() as session:
            found = await session.scalar(
                select(Conversation)
                .join(Identity, Identity.id == Conversation.identity_id)
                .where(Identity.channel == self.channel, Identity.external_id == self.user)
            )
            assert found is not None
            return found


def example_product(**changes: Any) -> dict[str, Any]:
    """The issue's example line of the product catalogue, with some fields changed."""
    return {
        "sku": "SERUM-30",
        "name": "烟酰胺精华液30ml",
        "aliases": ["小白瓶", "烟酰胺精华"],
        "category": "精华",
        "price": "168.00",
        "stock": 42,
        "non_returnable": False,
        "description": "5%烟酰胺，提亮肤色。",
        "tags": ["提亮", "油皮"],
        "restock_date": None,
        **changes,
    }


def random_chinese(rng: random.Random, length: int) -> str:
    """Characters drawn from the whole CJK block: a flood of text no cache has seen."""
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(length))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database for one test: a SQLite file, or a PostgreSQL database when
    KEFU_TEST_POSTGRES names a server (`tests/postgres_server.py` starts one)."""
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'kefu.db'}"
        return
    name = f"test_{uuid.uuid4().hex}"
    await _on_postgres_server(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES}/{name}"
    await _on_postgres_server(f'DROP DATABASE "{name}" WITH (FORCE)')


async def _on_postgres_server(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES.replace("+asyncpg", "") + "/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        demo=True,
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """Prepared databases to copy, for this pytest process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    found = Templates(tmp_path_factory.mktemp("templates"), POSTGRES, worker)
    yield found
    found.remove()


@pytest.fixture
async def services(
    settings: Settings, clock: FakeClock, templates: Templates
) -> AsyncIterator[Services]:
    # A copy of a prepared database, which start_services then finds up to date: preparing
    # each test's anew cost most of a typical test's time. Only a FakeClock keeps one time.
    key = template_key(settings, clock.now()) if type(clock) is FakeClock else None
    if key is not None:
        await templates.fill(settings, key)
    services = await start_services(settings, clock)
    yield services
    await services.close()


@pytest.fixture
def chat(services: Services, clock: FakeClock) -> Chat:
    return Chat(services, clock)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(services))) as test_client:
        yield test_client
