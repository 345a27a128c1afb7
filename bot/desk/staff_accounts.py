"""Staff accounts: creating them, and checking a login with its lockouts."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.password_policy import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    Weakness,
    password_weakness,
)
from bot.desk.unit_of_work import unit_of_work
from core.clock import Clock
from core.settings import Settings
from storage.models import STAFF_ROLES, Staff
from storage.repositories.failure_counts import LOGIN, source_key

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 64
MAX_DISPLAY_NAME_CHARS = 64
# Why a password is refused, for the command line.
WEAKNESS_TEXTS = {
    Weakness.TOO_SHORT: f"the password must have at least {MIN_PASSWORD_CHARS} characters",
    Weakness.TOO_LONG: f"the password must have at most {MAX_PASSWORD_CHARS} characters",
    Weakness.COMMON: "the password is too common or too simple; choose another",
    Weakness.NAME: "the password must not be the account's name or the shop's name",
}


class AccountError(ValueError):
    """A staff account that cannot be created as asked (the message says why)."""


@dataclass(frozen=True)
class LoginResult:
    """A login attempt: the staff member on success, None however it failed (the reason is
    not told: an unknown name, a wrong password and a locked account look alike)."""

    staff: Staff | None


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


def password_names(name: str, display_name: str, shop_name: str) -> tuple[str, ...]:
    """The names a password of this account may not be: its own two and the shop's."""
    return (name, display_name, shop_name)


def check_new_account(
    name: str, role: str, password: str, display_name: str = "", shop_name: str = ""
) -> None:
    """Raise AccountError when the name, role or password cannot be used."""
    if not name or len(name) > MAX_NAME_CHARS or any(ch.isspace() for ch in name):
        raise AccountError(f"the name must be 1–{MAX_NAME_CHARS} characters without spaces")
    if len(display_name) > MAX_DISPLAY_NAME_CHARS:
        raise AccountError(f"the display name must be at most {MAX_DISPLAY_NAME_CHARS} characters")
    if role not in STAFF_ROLES:
        raise AccountError(f"the role must be one of: {', '.join(STAFF_ROLES)}")
    weakness = password_weakness(password, password_names(name, display_name, shop_name))
    if weakness is not None:
        raise AccountError(WEAKNESS_TEXTS[weakness])


async def create_staff(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    name: str,
    role: str,
    password: str,
    display_name: str = "",
    shop_name: str = "",
) -> Staff:
    """A new staff account; AccountError when the name is taken or a value is unusable."""
    name = name.strip()
    check_new_account(name, role, password, display_name.strip(), shop_name)
    password_hash = await hash_password(password)
    async with unit_of_work(sessions) as repos:
        staff = repos.staff
        if await staff.by_name(name) is not None:
            raise AccountError(f"a staff account named {name!r} exists already")
        return await staff.add(name, display_name.strip() or name, role, password_hash, clock.now())


async def create_first_admin(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, name: str, password: str
) -> Staff | None:
    """An admin account when there are no staff accounts at all, whose password must be
    changed at its first sign-in; None otherwise."""
    password_hash = await hash_password(password)
    async with unit_of_work(sessions) as repos:
        staff = repos.staff
        if await staff.count() > 0:
            return None
        return await staff.add(
            name, name, "admin", password_hash, clock.now(), must_change_password=True
        )


async def log_in(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    name: str,
    password: str,
    address: str,
) -> LoginResult:
    """The staff member whose name and password these are, signing in from `address`.

    Wrong passwords in a row lock the account for a while; wrong sign-ins from one address
    (any names) block the address for a while; either refuses even the right password.
    Every attempt costs one hash check and every refusal a database write (the address's
    count), whatever the reason, so neither the answer nor its timing tells an unknown name
    from a locked account or a wrong password; a locked account's count is not added to,
    so guesses cannot keep it locked. No database connection is held during the hash check, so
    a flood of guesses cannot stall the customers' chats.
    """
    now = clock.now()
    login_key = source_key(LOGIN, address)
    async with unit_of_work(sessions) as repos:
        address_blocked = await repos.failure_counts.locked_until(login_key, now) is not None
        staff = await repos.staff.by_name(name.strip())
    if staff is not None and not staff.active:
        staff = None
    matches = await password_matches(
        staff.password_hash if staff is not None else _UNKNOWN_USER_HASH, password
    )
    lock_for = timedelta(minutes=settings.login_lock_minutes)
    async with unit_of_work(sessions) as repos:
        if staff is not None and matches and not address_blocked:
            # Conditional: refused when the account is locked, or was locked by a guess
            # sent alongside this attempt.
            epoch = await repos.staff.accept_login(staff.id, staff.password_hash, now)
            if epoch is not None:
                staff.session_epoch = epoch
                await repos.audit.record(staff.id, "login", now, staff.name)
                return LoginResult(staff)
        elif staff is not None and not address_blocked and not _locked(staff, now):
            locked = await repos.staff.count_failed_login(
                staff.id, settings.login_max_failures, now + lock_for
            )
            if locked:
                log.warning("staff account %r locked after failed logins", staff.name)
                await repos.audit.record(staff.id, "account_locked", now, staff.name)
        if not address_blocked and await repos.failure_counts.count_failure(
            login_key, now, lock_for, settings.login_address_max_failures, lock_for
        ):
            log.warning("console sign-ins from %s blocked after failed logins", address)
            await repos.audit.record(None, "address_blocked", now, address)
    return LoginResult(None)


def _locked(staff: Staff, now: datetime) -> bool:
    return staff.locked_until is not None and staff.locked_until > now


# A real hash of a random password: unknown names are checked against it.
_UNKNOWN_USER_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Qk5m2cXGz9yB2nY0bM2p6v6Cq2bJ3Xh8n1kQm4rS2tE"
)
