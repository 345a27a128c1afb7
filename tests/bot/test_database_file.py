"""A database that cannot keep what is written: the SQLite file deleted or replaced under the
running server, or a database that refuses writes. /healthz says so (503), and a customer's
message is refused with 503, to be sent again, rather than answered 200 and lost."""

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.app import create_app, start_services
from bot.services import Services
from core.settings import Settings
from tests.support.clock import FakeClock


@pytest.fixture
async def sqlite_file(tmp_path: Path, clock: FakeClock) -> AsyncIterator[tuple[Path, TestClient]]:
    """A server on a SQLite file (whichever database the other tests use): the file's path
    and a client."""
    path = tmp_path / "shop" / "kefu.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", data_dir=tmp_path, demo=True)
    services = await start_services(settings, clock)
    async with TestClient(TestServer(create_app(services))) as client:
        yield path, client
    await services.close()


async def post(client: TestClient, text: str, message_id: str) -> int:
    payload = {"user": "alice", "text": text, "id": message_id}
    response = await client.post("/api/chat", json=payload)
    if response.status == 503:
        assert "retry" in (await response.json())["error"]
        assert response.headers["Retry-After"]
    return response.status


async def test_a_deleted_database_file_is_unhealthy_and_takes_no_messages(
    sqlite_file: tuple[Path, TestClient],
) -> None:
    path, client = sqlite_file
    assert (await client.get("/healthz")).status == 200
    assert await post(client, "运费怎么算", "m1") == 200

    path.unlink()

    assert (await client.get("/healthz")).status == 503
    assert await post(client, "发什么快递", "m2") == 503


async def test_a_replaced_database_file_is_unhealthy_and_takes_no_messages(
    sqlite_file: tuple[Path, TestClient], tmp_path: Path
) -> None:
    path, client = sqlite_file
    assert await post(client, "运费怎么算", "m1") == 200
    copy = tmp_path / "restored.db"
    shutil.copyfile(path, copy)

    os.replace(copy, path)  # e.g. a backup restored over the live file

    assert (await client.get("/healthz")).status == 503
    assert await post(client, "发什么快递", "m2") == 503


async def make_read_only(services: Services) -> None:
    """The database refuses every write from now on (a full or read-only disk, a replica)."""
    engine = services.engine
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA query_only = ON")
        return
    name = engine.url.database
    async with engine.connect() as connection:
        await connection.execute(
            text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        )
        await connection.commit()
    await engine.dispose()  # new connections take the database's new default


async def test_a_database_that_refuses_writes_is_unhealthy_and_takes_no_messages(
    services: Services, client: TestClient
) -> None:
    assert (await client.get("/healthz")).status == 200

    await make_read_only(services)

    assert (await client.get("/healthz")).status == 503
    assert await post(client, "发什么快递", "m2") == 503
