"""Fixtures for the ticket handlers' tests: the command line on a database of the test's own."""

from pathlib import Path

import pytest

from core.settings import Settings
from tests.support.command_line import command_line_settings


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the command line at a database in tmp_path, without the demo shop."""
    return command_line_settings(tmp_path, monkeypatch, demo=False)
