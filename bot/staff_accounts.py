"""Staff accounts: creating them, and checking a login with its lockout."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.settings import Settings
from storage.models import STAFF_ROLES, Staff
from storage.repositories import Repositories

log = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 128  # hashing a huge "password" would only waste the server's time
MAX_NAME_CHARS = 64
MAX_DISPLAY_NAME_CHARS = 64


class AccountError(ValueError):
    """A staff account that cannot be created as asked (the message says why)."""


@dataclass(frozen=True)
class LoginResult:
    """A login attempt: the staff member on success, else whether the account is locked."""

    staff: Staff | None
    locked_minutes: int = 0


def password_hasher() -> PasswordHasher:
    return PasswordHasher()


async def hash_password(password: str) -> str:
    """An argon2 hash; hashing takes tens of milliseconds, so it runs off the event loop."""
    return await asyncio.to_thread(password_hasher().hash, password)


async def password_matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return password_hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def check_new_account(name: str, role: str, password: str, display_name: str = "") -> None:
    """Raise AccountError when the name, role or password cannot be used."""
    if not name or len(name) > MAX_NAME_CHARS or any(ch.isspace() for ch in name):
        raise AccountError(f"the name must be 1–{MAX_NAME_CHARS} characters without spaces")
    if len(display_name) > MAX_DISPLAY_NAME_CHARS:
        raise AccountError(f"the display name must be at most {MAX_DISPLAY_NAME_CHARS} characters")
    if role not in STAFF_ROLES:
        raise AccountError(f"the role must be one of: {', '.join(STAFF_ROLES)}")
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(
            f"the password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )


async def create_staff(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    name: str,
    role: str,
    password: str,
    display_name: str = "",
) -> Staff:
    """A new staff account; AccountError when the name is taken or a value is unusable."""
    name = name.strip()
    check_new_account(name, role, password, display_name.strip())
    password_hash = await hash_password(password)
    async with sessions() as session, session.begin():
        staff = Repositories.for_session(session).staff
        if await staff.by_name(name) is not None:
            raise AccountError(f"a staff account named {name!r} exists already")
        return await staff.add(name, display_name.strip() or name, role, password_hash, clock.now())


async def create_first_admin(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, name: str, password: str
) -> Staff | None:
    """An admin account when there are no staff accounts at all; None otherwise."""
    password_hash = await hash_password(password)
    async with sessions() as session, session.begin():
        staff = Repositories.for_session(session).staff
        if await staff.count() > 0:
            return None
        return await staff.add(name, name, "admin", password_hash, clock.now())


async def log_in(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    name: str,
    password: str,
) -> LoginResult:
    """The staff member whose name and password these are.

    Wrong passwords in a row lock the account for a while; a locked account refuses even
    the right password. Every attempt costs one hash check (unknown names and locked
    accounts too), so timing tells nothing; no database connection is held meanwhile,
    so a flood of guesses cannot stall the customers' chats.
    """
    now = clock.now()
    async with sessions() as session:
        staff = await Repositories.for_session(session).staff.by_name(name.strip())
    if staff is None or not staff.active:
        await password_matches(_UNKNOWN_USER_HASH, password)
        return LoginResult(None)
    matches = await password_matches(staff.password_hash, password)
    if staff.locked_until is not None and staff.locked_until > now:
        return LoginResult(None, _minutes_left(staff.locked_until - now))
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        if matches:
            epoch = await repos.staff.accept_login(staff.id, staff.password_hash, now)
            if epoch is None:  # locked by a guess sent alongside this attempt
                return LoginResult(None, settings.login_lock_minutes)
            staff.session_epoch = epoch
            await repos.audit.record(staff.id, "login", now, staff.name)
            return LoginResult(staff)
        lock_until = now + timedelta(minutes=settings.login_lock_minutes)
        if await repos.staff.count_failed_login(staff.id, settings.login_max_failures, lock_until):
            log.warning("staff account %r locked after failed logins", staff.name)
            await repos.audit.record(staff.id, "account_locked", now, staff.name)
            return LoginResult(None, settings.login_lock_minutes)
        return LoginResult(None)


def _minutes_left(left: timedelta) -> int:
    return max(1, -(-int(left.total_seconds()) // 60))


# A real hash of a random password: unknown names are checked against it.
_UNKNOWN_USER_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Qk5m2cXGz9yB2nY0bM2p6v6Cq2bJ3Xh8n1kQm4rS2tE"
)
