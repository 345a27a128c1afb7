"""Staff accounts: who may log in to the console, their lockouts and who is online."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import StaffRole
from storage.models import Staff
from storage.repositories.lockouts import count_failure


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        name: str,
        display_name: str,
        role: str,
        password_hash: str,
        now: datetime,
        *,
        must_change_password: bool = False,
    ) -> Staff:
        staff = Staff(
            name=name,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            active=True,
            failed_logins=0,
            must_change_password=must_change_password,
            created_at=now,
        )
        self._session.add(staff)
        await self._session.flush()
        return staff

    async def by_id(self, staff_id: int) -> Staff | None:
        return await self._session.get(Staff, staff_id)

    async def by_name(self, name: str) -> Staff | None:
        return await self._session.scalar(select(Staff).where(Staff.name == name))

    async def all(self) -> Sequence[Staff]:
        return (await self._session.scalars(select(Staff).order_by(Staff.name))).all()

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(Staff)) or 0

    async def count_failed_login(
        self, staff_id: int, max_failures: int, lock_until: datetime
    ) -> bool:
        """Add one wrong password; returns True when this one locked the account."""
        return await count_failure(
            self._session, Staff.failed_logins, staff_id, max_failures, lock_until
        )

    async def accept_login(self, staff_id: int, password_hash: str, now: datetime) -> int | None:
        """Record a right password: the session epoch to sign in with, or None when the
        account was locked, deactivated or given a new password meanwhile.

        Conditional, so that guesses sent all at once cannot slip a login past a lock that
        one of them set.
        """
        return await self._session.scalar(
            update(Staff)
            .where(
                Staff.id == staff_id,
                Staff.active.is_(True),
                Staff.password_hash == password_hash,
                (Staff.locked_until.is_(None)) | (Staff.locked_until <= now),
            )
            .values(failed_logins=0, locked_until=None)
            .returning(Staff.session_epoch)
        )

    async def set_password(
        self, staff_id: int, password_hash: str, *, must_change: bool = False
    ) -> int | None:
        """Give the account a new password and end its sessions everywhere; the new session
        epoch (None for no such account). `must_change`: it opens only the change-password
        page until its owner chooses another."""
        return await self._session.scalar(
            update(Staff)
            .where(Staff.id == staff_id)
            .values(
                password_hash=password_hash,
                must_change_password=must_change,
                session_epoch=Staff.session_epoch + 1,
                last_seen_at=None,
            )
            .returning(Staff.session_epoch)
            .execution_options(synchronize_session="fetch")
        )

    async def clear_failed_logins(self, staff_id: int) -> None:
        await self._session.execute(
            update(Staff).where(Staff.id == staff_id).values(failed_logins=0, locked_until=None)
        )

    async def end_sessions(self, staff_id: int) -> None:
        """Sign the account out everywhere; it no longer counts as online."""
        await self._session.execute(
            update(Staff)
            .where(Staff.id == staff_id)
            .values(session_epoch=Staff.session_epoch + 1, last_seen_at=None)
            .execution_options(synchronize_session="fetch")
        )

    async def mark_seen(self, staff_id: int, session_epoch: int, now: datetime) -> None:
        """Count the account as online, unless it signed out (or was deactivated) meanwhile."""
        await self._session.execute(
            update(Staff)
            .where(
                Staff.id == staff_id,
                Staff.session_epoch == session_epoch,
                Staff.active.is_(True),
            )
            .values(last_seen_at=now)
        )

    async def online(self, seen_since: datetime) -> Sequence[Staff]:
        """Active staff who had the console open since `seen_since`."""
        rows = await self._session.scalars(
            select(Staff)
            .where(Staff.active.is_(True), Staff.last_seen_at >= seen_since)
            .order_by(Staff.id)
        )
        return rows.all()

    async def count_active_admins(self, other_than: int | None = None) -> int:
        """Active admins, leaving out one account (the one about to change)."""
        query = (
            select(func.count())
            .select_from(Staff)
            .where(Staff.role == StaffRole.ADMIN, Staff.active.is_(True))
        )
        if other_than is not None:
            query = query.where(Staff.id != other_than)
        return await self._session.scalar(query) or 0
