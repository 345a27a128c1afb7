"""The demo's first admin: a one-time password kept in a private file of the data folder,
never in a log, and changed at the first sign-in."""

import secrets
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.staff_accounts import create_first_admin
from core.clock import Clock
from core.private_files import write_private_file
from core.settings import Settings

DEMO_ADMIN = "admin"
PASSWORD_FILE = "demo_admin_password.txt"


async def create_demo_admin(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> Path | None:
    """With no staff accounts yet, an admin whose one-time password is written to a file only
    the account running kefu may read; the file's path, None when there are accounts."""
    password = secrets.token_urlsafe(12)
    if await create_first_admin(sessions, clock, DEMO_ADMIN, password) is None:
        return None
    path = settings.data_dir / PASSWORD_FILE
    path.unlink(missing_ok=True)  # an old file keeps its mode: start from none
    write_private_file(path, f"{password}\n".encode())
    return path


def forget_demo_password(settings: Settings) -> None:
    """Remove the one-time password's file once its password is no longer any use."""
    (settings.data_dir / PASSWORD_FILE).unlink(missing_ok=True)
