"""Admins manage staff accounts: add one, change one, each change audited with it."""

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum

from bot.desk.actor import Actor
from bot.desk.unit_of_work import Sessions, unit_of_work
from core.enums import StaffRole
from storage.models import Staff
from storage.repositories import Repositories

# A change to one account by the actor: returns (audit action, detail), or None when nothing
# changed.
AccountChange = Callable[[Repositories, Staff, Actor], Awaitable[tuple[str, str] | None]]


class Refusal(StrEnum):
    """Why an account change cannot be made."""

    NAME_TAKEN = "name_taken"
    OWN_ROLE = "own_role"
    OWN_ACCOUNT = "own_account"
    LAST_ADMIN = "last_admin"


class AccountRefused(Exception):
    """A change that cannot be made, for `reason`."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


class StaffNotFound(LookupError):
    """No staff account has this id."""


async def all_staff(sessions: Sessions) -> Sequence[Staff]:
    async with unit_of_work(sessions) as repos:
        return await repos.staff.all()


async def add_staff(
    sessions: Sessions,
    actor: Actor,
    name: str,
    display_name: str,
    role: str,
    password_hash: str,
    *,
    audit_detail: str,
) -> None:
    """A new account, audited with `audit_detail`; refused when the name is taken."""
    async with unit_of_work(sessions) as repos:
        if await repos.staff.by_name(name) is not None:
            raise AccountRefused(Refusal.NAME_TAKEN)
        await repos.staff.add(name, display_name or name, role, password_hash, actor.at)
        await repos.audit.record(actor.staff_id, "staff_added", actor.at, name, audit_detail)


async def change_account(
    sessions: Sessions, staff_id: int, change: AccountChange, actor: Actor
) -> None:
    """Apply one change to an account, audited, in one unit of work; raises StaffNotFound or
    AccountRefused (nothing is changed then)."""
    async with unit_of_work(sessions) as repos:
        target = await repos.staff.by_id(staff_id)
        if target is None:
            raise StaffNotFound(staff_id)
        audited = await change(repos, target, actor)
        if audited is not None:
            action, detail = audited
            await repos.audit.record(actor.staff_id, action, actor.at, target.name, detail)


def password_reset(password_hash: str) -> AccountChange:
    async def change(repos: Repositories, target: Staff, actor: Actor) -> tuple[str, str]:
        # A password someone else chose opens only the change-password page until its owner
        # picks one of their own.
        must_change = target.id != actor.staff_id
        await repos.staff.set_password(target.id, password_hash, must_change=must_change)
        return "password_reset", ""

    return change


def role_change(role: str, label: Callable[[str], str]) -> AccountChange:
    """Give the account `role`; the audit detail names both roles with `label`."""

    async def change(repos: Repositories, target: Staff, actor: Actor) -> tuple[str, str] | None:
        if target.role == role:
            return None
        if target.id == actor.staff_id:
            raise AccountRefused(Refusal.OWN_ROLE)
        await _keeps_an_admin(repos, target)
        detail = f"{label(target.role)} → {label(role)}"
        target.role = role
        return "role_changed", detail

    return change


async def deactivation(repos: Repositories, target: Staff, actor: Actor) -> tuple[str, str] | None:
    if not target.active:
        return None
    if target.id == actor.staff_id:
        raise AccountRefused(Refusal.OWN_ACCOUNT)
    await _keeps_an_admin(repos, target)
    # The sign-in check reads `active` on every request: open sessions end at once, and
    # stay ended should the account be reactivated.
    target.active = False
    await repos.staff.end_sessions(target.id)
    return "staff_deactivated", ""


async def reactivation(repos: Repositories, target: Staff, actor: Actor) -> tuple[str, str] | None:
    if target.active:
        return None
    target.active = True
    return "staff_reactivated", ""


async def unlocking(repos: Repositories, target: Staff, actor: Actor) -> tuple[str, str]:
    await repos.staff.clear_failed_logins(target.id)
    return "staff_unlocked", ""


async def _keeps_an_admin(repos: Repositories, target: Staff) -> None:
    """Refuse a change that would leave no active admin to manage the accounts."""
    if target.role != StaffRole.ADMIN or not target.active:
        return
    if await repos.staff.count_active_admins(other_than=target.id) == 0:
        raise AccountRefused(Refusal.LAST_ADMIN)
