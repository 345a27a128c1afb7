"""The audit log: what staff did, read and written in its own unit of work."""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.desk.actor import Actor
from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.models import AuditEntry


@dataclass(frozen=True)
class AuditLog:
    """The newest entries, with the account names of the staff who made them."""

    entries: Sequence[AuditEntry]
    names: dict[int, str]  # staff id → account name


async def record(
    sessions: Sessions,
    actor: Actor,
    action: str,
    subject: str,
    detail: str = "",
) -> None:
    """Write that the actor did `action` to `subject`."""
    async with unit_of_work(sessions) as repos:
        await repos.audit.record(actor.staff_id, action, actor.at, subject, detail)


async def recent(sessions: Sessions, limit: int) -> AuditLog:
    async with unit_of_work(sessions) as repos:
        entries = await repos.audit.recent(limit)
        names = {staff.id: staff.name for staff in await repos.staff.all()}
    return AuditLog(entries, names)
