"""`python -m bot db upgrade`: the schema migrations on their own, on either database."""

import asyncio

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.cli.main import main
from storage.database import alembic_config, create_engine


async def test_upgrade_creates_the_schema_and_can_run_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    for _ in range(2):
        assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
        assert f"database schema at revision {head}" in capsys.readouterr().out
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    assert {"faq_entries", "messages", "outbox", "followups"} <= tables
