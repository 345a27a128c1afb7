"""Shared fixtures: a fake clock, a file-backed SQLite database with the demo shop, the
assistant, a transcript-style chat and an HTTP client for the web application."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, start_services
from bot.services import Services
from core.settings import Settings
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.database import Templates, template_key

# A PostgreSQL server to run every test on instead of SQLite (see `database_url`).
POSTGRES = os.environ.get("KEFU_TEST_POSTGRES", "")


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
