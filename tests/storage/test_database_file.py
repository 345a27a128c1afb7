"""The SQLite file holds customers' phones and addresses: only the account running kefu may
read it, nor its write-ahead log and shared-memory files."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import create_engine, migrate


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask of most shells, under which new files are readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_wal_files_are_readable_by_the_owner_alone(
    tmp_path: Path, usual_umask: None
) -> None:
    path = tmp_path / "data" / "kefu.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
        async with engine.begin() as connection:  # something written: the WAL is in use
            await connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            await connection.execute(text("INSERT INTO probe VALUES (1)"))
        files = [path, path.with_name("kefu.db-wal"), path.with_name("kefu.db-shm")]
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
    finally:
        await engine.dispose()


async def test_a_database_created_readable_by_others_is_made_private(
    tmp_path: Path, usual_umask: None
) -> None:
    path = tmp_path / "kefu.db"
    for file in (path, tmp_path / "kefu.db-wal", tmp_path / "kefu.db-journal"):
        file.touch(mode=0o644)
        file.chmod(0o664)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await engine.dispose()
    assert [mode(file) for file in sorted(tmp_path.iterdir())] == [0o600, 0o600, 0o600]
