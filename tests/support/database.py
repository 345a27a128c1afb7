"""Prepared template databases: migrated, with the default FAQ and the demo shop, built once
per pytest process and copied for each test instead of preparing every database anew."""

import asyncio
import os
import shutil
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bot.app import prepare_database
from core.clock import Clock
from core.settings import Settings
from storage.database import DATABASE_COMPANIONS, PRIVATE_FILE_MODE


@dataclass(frozen=True)
class TemplateKey:
    """What a prepared database's content depends on, besides the migrations and the FAQ."""

    # Demo orders and FAQ stamps are dated from the clock's time at preparation.
    prepared_at: datetime
    demo: bool


class _FixedClock:
    """The time a template is prepared at, for every call: preparation reads it many times."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def template_key(settings: Settings, prepared_at: datetime) -> TemplateKey | None:
    """The template that fits these settings; None when a test's database must be prepared
    the slow way (a FAQ file of its own, which tests write into their own folders)."""
    if settings.faq_file is not None:
        return None
    return TemplateKey(prepared_at, settings.demo)


class Templates:
    """The templates of one pytest process, one per key, built when first asked for."""

    def __init__(self, folder: Path, postgres: str, worker: str) -> None:
        self._folder = folder
        self._postgres = postgres
        # Several pytest processes may share one PostgreSQL server (pytest-xdist).
        self._prefix = f"kefu_template_{worker}_{uuid.uuid4().hex[:8]}"
        self._files: dict[TemplateKey, Path] = {}
        self._databases: dict[TemplateKey, str] = {}

    async def fill(self, settings: Settings, key: TemplateKey) -> bool:
        """Give the settings' database the template's content when it is still a new, empty
        one of the test harness; False when it is left for preparation the slow way."""
        url = make_url(settings.database_url)
        if url.get_backend_name() == "sqlite":
            return await self._fill_file(settings, url.database, key)
        if self._postgres and settings.database_url.startswith(f"{self._postgres}/"):
            return await self._fill_database(settings, url.database, key)
        return False

    async def _fill_file(self, settings: Settings, database: str | None, key: TemplateKey) -> bool:
        if not database or database == ":memory:":
            return False
        target = Path(database)
        if any(file.exists() for file in _with_companions(target)):
            return False
        template = self._files.get(key)
        if template is None:
            template = self._folder / f"{len(self._files)}" / "kefu.db"
            await _prepare(settings, f"sqlite+aiosqlite:///{template}", key)
            self._files[key] = template
        target.parent.mkdir(parents=True, exist_ok=True)
        for source, copy in zip(_with_companions(template), _with_companions(target), strict=True):
            if source.exists():
                _copy_private(source, copy)
        return True

    async def _fill_database(
        self, settings: Settings, database: str | None, key: TemplateKey
    ) -> bool:
        if not database or not await self._empty(database):
            return False
        template = self._databases.get(key)
        if template is None:
            template = f"{self._prefix}_{len(self._databases)}"
            await self._on_server(f'CREATE DATABASE "{template}"')
            await _prepare(settings, f"{self._postgres}/{template}", key)
            self._databases[key] = template
        # A database is made from a template only when created: the empty one is replaced.
        await self._on_server(
            f'DROP DATABASE "{database}" WITH (FORCE)',
            f'CREATE DATABASE "{database}" TEMPLATE "{template}"',
        )
        return True

    async def _empty(self, database: str) -> bool:
        connection = await asyncpg.connect(self._server_address(database))
        try:
            tables = await connection.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')"
            )
        finally:
            await connection.close()
        return tables == 0

    async def _on_server(self, *statements: str) -> None:
        connection = await asyncpg.connect(self._server_address("postgres"))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def _server_address(self, database: str) -> str:
        return f"{self._postgres.replace('+asyncpg', '')}/{database}"

    def remove(self) -> None:
        """Drop the PostgreSQL templates (the files go with pytest's temporary folders)."""
        if self._databases:
            statements = (f'DROP DATABASE "{name}"' for name in self._databases.values())
            asyncio.run(self._on_server(*statements))
            self._databases.clear()


async def _prepare(settings: Settings, url: str, key: TemplateKey) -> None:
    """Prepare a template as the test's own database would be: the same settings and time."""
    clock: Clock = _FixedClock(key.prepared_at)
    engine, _ = await prepare_database(
        replace(settings, database_url=url), clock, load_demo=settings.demo
    )
    await engine.dispose()


def _with_companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + suffix) for suffix in DATABASE_COMPANIONS)]


def _copy_private(source: Path, target: Path) -> None:
    """Copy a database file created owner-only, as kefu creates its own."""
    created = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with source.open("rb") as read, os.fdopen(created, "wb") as write:
        shutil.copyfileobj(read, write)
