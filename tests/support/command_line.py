"""kefu's command line on a database of a test's own, and kefu started on it from a plain test."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.app import start_services
from core.settings import Settings
from tests.support.chat import Chat
from tests.support.clock import FakeClock

T = TypeVar("T")


def command_line_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: bool) -> Settings:
    """Point the command line at a database in tmp_path, with or without the demo shop."""
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("KEFU_DEMO", "1" if demo else "0")
    return Settings.from_env()


def with_services(settings: Settings, clock: FakeClock, work: Callable[[Chat], Awaitable[T]]) -> T:
    """Run `work` with kefu started on the command line's database (from a plain test)."""

    async def run() -> T:
        services = await start_services(settings, clock)
        try:
            return await work(Chat(services, clock))
        finally:
            await services.close()

    return asyncio.run(run())
