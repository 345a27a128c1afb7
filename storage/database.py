"""Engine and session setup, schema migrations through Alembic, and the health check."""

import contextlib
import functools
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
POOL_SIZE = 10  # connections a process keeps, and as many more under load
POOL_WAIT_SECONDS = 60
# Where a SQLite connection keeps the identity of the file it opened.
OPENED_FILE = "kefu_opened_file"
PRIVATE_FILE_MODE = 0o600  # read and write for the account running kefu, nothing for others
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")


class DatabaseFileChanged(RuntimeError):
    """The SQLite file was deleted or replaced under the running process: what it wrote
    would vanish with the process, so nothing more is committed."""


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
    # SQLite has one writer at a time; a single pooled connection queues transactions in
    # asyncio instead of in SQLite's busy handler, which sleeps and makes latency spiky.
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    if parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        _private_database_file(path)
        _guard_file(engine, path)
    return engine


def _guard_file(engine: AsyncEngine, path: Path) -> None:
    """Refuse every commit once the file at `path` is not the one the connection opened.

    A connection keeps writing to a deleted file's inode, and everything it commits is
    gone when the process ends: better to fail the request (a 503 the sender retries).
    """

    def remember(_dbapi_connection: object, record: ConnectionPoolEntry) -> None:
        record.info[OPENED_FILE] = _file_identity(path)

    def check(connection: Connection) -> None:
        problem = _file_problem(path, connection.info.get(OPENED_FILE))
        if problem is not None:
            raise DatabaseFileChanged(problem)

    event.listen(engine.sync_engine, "connect", remember)
    event.listen(engine.sync_engine, "commit", check)


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at `path`; None when there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _file_problem(path: Path, opened: tuple[int, int] | None) -> str | None:
    """Why the file at `path` is no longer the one opened, if it is not."""
    now = _file_identity(path)
    if now is None:
        return f"the database file {path} was deleted"
    if opened is not None and now != opened:
        return f"the database file {path} was replaced"
    return None


async def check_database(engine: AsyncEngine) -> None:
    """Raise unless the database takes writes: a write in a transaction that is rolled
    back, and for SQLite, the file at the path still being the one opened."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            raw = await connection.get_raw_connection()
            path = engine.url.database
            if path and path != ":memory:":
                problem = _file_problem(Path(path), raw.info.get(OPENED_FILE))
                if problem is not None:
                    raise DatabaseFileChanged(problem)
        async with connection.begin() as transaction:
            # Every migrated database has this one-row table; the change is never kept.
            await connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            await transaction.rollback()


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


@functools.cache
def _head_revisions() -> tuple[str, ...]:
    """The newest revisions of the bundled migrations (one, unless branches were left open)."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def migrate(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Bring the schema up to `revision` (default: the newest); returns the revision reached."""
    if revision == "head":
        # Every start migrates, and a database already at the head needs none of Alembic's
        # machinery (nor, on SQLite, the foreign-key dance around it).
        async with engine.connect() as connection:
            current = await connection.run_sync(_current_revision)
        if current is not None and _head_revisions() == (current,):
            return current

    def upgrade(connection: Connection) -> str | None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return _current_revision(connection)

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
