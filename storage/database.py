"""Engine and session setup, and schema migrations through Alembic."""

import contextlib
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
POOL_SIZE = 10  # connections a process keeps, and as many more under load
POOL_WAIT_SECONDS = 60
PRIVATE_FILE_MODE = 0o600  # read and write for the account running kefu, nothing for others
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine; for a SQLite file, its folder is created and WAL is switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # An unreachable server fails the request within seconds rather than holding the
        # customer waiting; a busy pool is no outage, so a request waits longer for it.
        return create_async_engine(
            url,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_SIZE,
            pool_timeout=POOL_WAIT_SECONDS,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        )
    if parsed.database and parsed.database != ":memory:":
        _private_database_file(Path(parsed.database))
    # SQLite has one writer at a time; a single pooled connection queues transactions in
    # asyncio instead of in SQLite's busy handler, which sleeps and makes latency spiky.
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _private_database_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner alone, and take group and
    others' access from one created before: it holds customers' phones and addresses.

    SQLite gives its -wal, -shm and -journal files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    for name in (path, *(path.with_name(path.name + s) for s in DATABASE_COMPANIONS)):
        # Missing, or another account's file: nothing to take away.
        with contextlib.suppress(FileNotFoundError, PermissionError):
            mode = name.stat().st_mode & 0o777
            if mode & ~PRIVATE_FILE_MODE:
                name.chmod(mode & PRIVATE_FILE_MODE)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic configuration pointing at the bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Bring the schema up to `revision` (default: the newest); returns the revision reached."""

    def upgrade(connection: Connection) -> str | None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return MigrationContext.configure(connection).get_current_revision()

    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            return await connection.run_sync(upgrade)
    async with engine.connect() as connection:
        # SQLite changes a table by copying it into a new one and dropping the old, which
        # foreign keys forbid while other rows point at it; they are checked after instead.
        # (The pragma works only outside a transaction, hence before the migration's.)
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.commit()
        try:
            async with connection.begin():
                reached = await connection.run_sync(upgrade)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()
    return reached
