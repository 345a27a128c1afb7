"""Staff signed in to the console: checking a session, marking staff seen, signing out."""

from datetime import datetime, timedelta

from bot.desk.actor import Actor
from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.models import Staff


async def staff_by_id(sessions: Sessions, staff_id: int) -> Staff | None:
    async with unit_of_work(sessions) as repos:
        return await repos.staff.by_id(staff_id)


async def signed_in_staff(
    sessions: Sessions, staff_id: int, epoch: object, now: datetime, seen_every: timedelta
) -> Staff | None:
    """The active staff member a session with this `epoch` signed in, while it is still valid;
    marks them seen (online) when `seen_every` has passed since the last time."""
    async with unit_of_work(sessions) as repos:
        staff = await repos.staff.by_id(staff_id)
        if staff is None or not staff.active:
            return None
        if epoch != staff.session_epoch:
            return None  # signed out, or the password changed, since this session began
        if staff.last_seen_at is None or now - staff.last_seen_at >= seen_every:
            await repos.staff.mark_seen(staff.id, staff.session_epoch, now)
    return staff


async def mark_seen(sessions: Sessions, staff_id: int, epoch: int, now: datetime) -> bool:
    """Mark the staff member seen; False when the account was disabled or signed out since
    the session with this `epoch` began."""
    async with unit_of_work(sessions) as repos:
        staff = await repos.staff.by_id(staff_id)
        if staff is None or not staff.active or staff.session_epoch != epoch:
            return False
        await repos.staff.mark_seen(staff.id, staff.session_epoch, now)
    return True


async def end_sessions(sessions: Sessions, staff_id: int) -> None:
    """Sign the staff member out on every device."""
    async with unit_of_work(sessions) as repos:
        await repos.staff.end_sessions(staff_id)


async def change_password(
    sessions: Sessions, actor: Actor, password_hash: str, account_name: str
) -> int:
    """Set the actor's own password, audited; the new session epoch (other devices signed in
    with the old password are signed out)."""
    assert actor.staff_id is not None  # only a console user changes their own password
    async with unit_of_work(sessions) as repos:
        epoch = await repos.staff.set_password(actor.staff_id, password_hash)
        await repos.audit.record(actor.staff_id, "password_changed", actor.at, account_name)
    return epoch
