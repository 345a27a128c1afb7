"""The database stops for a while: health says so, chats fail fast and clearly, and the
service comes back by itself when the database does. On a PostgreSQL server of its own, in
both test runs, since the test stops it."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, start_services
from core.settings import Settings
from tests.postgres_server import PostgresServer
from tests.support.clock import FakeClock

# Longer than any answer takes, far shorter than a hung request: a failure must come back.
NO_HANGING_SECONDS = 30


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


@pytest.fixture
async def client(
    server: PostgresServer, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[TestClient]:
    settings = Settings(database_url=f"{server.url}/postgres", data_dir=tmp_path, demo=True)
    services = await start_services(settings, clock)
    async with TestClient(TestServer(create_app(services))) as test_client:
        yield test_client
    await services.close()


async def ask(client: TestClient, text: str) -> tuple[int, dict]:
    response = await asyncio.wait_for(
        client.post("/api/chat", json={"user": "alice", "text": text}), NO_HANGING_SECONDS
    )
    return response.status, await response.json()


async def test_an_outage_is_reported_and_survived(
    server: PostgresServer, client: TestClient
) -> None:
    assert (await client.get("/healthz")).status == 200
    status, body = await ask(client, "运费怎么算")
    assert status == 200 and body["replies"]

    await asyncio.to_thread(server.stop)
    health = await asyncio.wait_for(client.get("/healthz"), NO_HANGING_SECONDS)
    assert health.status == 503
    status, body = await ask(client, "发什么快递")
    assert status == 503 and "retry" in body["error"]

    await asyncio.to_thread(server.start)
    assert (await client.get("/healthz")).status == 200
    status, body = await ask(client, "发什么快递")
    assert status == 200 and "快递" in body["replies"][0]["text"]
