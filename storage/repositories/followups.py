"""Follow-ups: messages the bot sends on its own at a time, and what became of them.

Scheduling is idempotent by subject; every change of status is a conditional update, so two
processes on one database never both send a follow-up, nor both record one answer.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FollowUp

# The columns a caller gives when scheduling; the rest have their defaults.
Scheduled = Mapping[str, Any]


class FollowUpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(self, **fields: Any) -> bool:
        """Schedule one follow-up; False when one with its subject exists already."""
        return await self.schedule_many([fields]) == 1

    async def schedule_many(self, rows: Sequence[Scheduled]) -> int:
        """Schedule follow-ups, skipping subjects that exist; the number added.

        Each row needs kind, subject, identity_id, text, due_at and created_at.
        """
        if not rows:
            return 0
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = [
            {
                "status": "scheduled",
                "quiet": True,
                "note": "",
                "comment": "",
                "customer_id": None,
                "order_id": None,
                "ticket_id": None,
                "staff_id": None,
                **row,
            }
            for row in rows
        ]
        statement = insert(FollowUp).on_conflict_do_nothing(index_elements=["subject"])
        if len(values) == 1:
            result = await self._session.execute(statement.values(values[0]))
            return max(result.rowcount, 0)
        before = await self._count()
        await self._session.execute(statement, values)
        return await self._count() - before

    async def _count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(FollowUp)) or 0

    async def get(self, followup_id: int) -> FollowUp | None:
        return await self._session.get(FollowUp, followup_id, populate_existing=True)

    async def by_subject(self, subject: str) -> FollowUp | None:
        return await self._session.scalar(select(FollowUp).where(FollowUp.subject == subject))

    async def due_ids(self, now: datetime, limit: int, quiet_now: bool) -> Sequence[int]:
        """Scheduled follow-ups whose time has come, the longest waiting first; in quiet
        hours (`quiet_now`) only those staff timed themselves."""
        query = select(FollowUp.id).where(FollowUp.status == "scheduled", FollowUp.due_at <= now)
        if quiet_now:
            query = query.where(FollowUp.quiet.is_(False))
        result = await self._session.scalars(
            query.order_by(FollowUp.due_at, FollowUp.id).limit(limit)
        )
        return result.all()

    async def waiting_since(self, before: datetime, limit: int) -> Sequence[tuple[int, str]]:
        """(id, subject) of scheduled follow-ups that respect quiet hours and were due
        before `before`: the ones that waited through them."""
        rows = await self._session.execute(
            select(FollowUp.id, FollowUp.subject)
            .where(
                FollowUp.status == "scheduled",
                FollowUp.quiet.is_(True),
                FollowUp.due_at < before,
            )
            .order_by(FollowUp.due_at, FollowUp.id)
            .limit(limit)
        )
        return [(row_id, subject) for row_id, subject in rows.all()]

    async def move(self, new_times: Mapping[int, datetime]) -> None:
        """Give scheduled follow-ups new due times, in one statement per batch."""
        if not new_times:
            return
        table = FollowUp.__table__
        await self._session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"), table.c.status == "scheduled")
            .values(due_at=bindparam("new_due")),
            [{"row_id": row_id, "new_due": due} for row_id, due in new_times.items()],
        )

    async def claim(self, followup_id: int, now: datetime) -> bool:
        """Take a due follow-up for sending; False when another worker took it first.

        Its status becomes `sent` at once: the caller records another outcome, or writes the
        outbox row, in the same transaction.
        """
        result = await self._session.execute(
            update(FollowUp)
            .where(
                FollowUp.id == followup_id,
                FollowUp.status == "scheduled",
                FollowUp.due_at <= now,
            )
            .values(status="sent", sent_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def visit_sent_since(
        self, customer_id: int | None, identity_id: int, since: datetime, excluding: int
    ) -> bool:
        """True when this customer (or this chat, for a customer not known) was sent a visit
        since a time, other than the follow-up `excluding`."""
        return (
            await self._session.scalar(
                select(FollowUp.id)
                .where(
                    _recipient(customer_id, identity_id),
                    FollowUp.kind == "visit",
                    FollowUp.sent_at >= since,
                    FollowUp.status.in_(("sent", "answered", "expired")),
                    FollowUp.id != excluding,
                )
                .limit(1)
            )
            is not None
        )

    async def open_visit(self, identity_id: int, since: datetime) -> FollowUp | None:
        """The newest visit sent to this chat since a time and not answered yet."""
        return await self._session.scalar(
            select(FollowUp)
            .where(
                FollowUp.identity_id == identity_id,
                FollowUp.kind == "visit",
                FollowUp.status == "sent",
                FollowUp.sent_at >= since,
            )
            .order_by(FollowUp.sent_at.desc(), FollowUp.id.desc())
            .limit(1)
        )

    async def record_rating(self, followup_id: int, rating: int, now: datetime) -> bool:
        """Record the customer's rating of a visit once; False if it was answered already."""
        result = await self._session.execute(
            update(FollowUp)
            .where(FollowUp.id == followup_id, FollowUp.status == "sent")
            .values(status="answered", rating=rating, answered_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def expire_visits(self, sent_before: datetime) -> int:
        """Visits sent before a time and never answered: expired. The number expired."""
        result = await self._session.execute(
            update(FollowUp)
            .where(
                FollowUp.kind == "visit",
                FollowUp.status == "sent",
                FollowUp.sent_at < sent_before,
            )
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    async def cancel(self, followup_id: int, note: str) -> bool:
        """Cancel a follow-up that has not gone yet; False when it has (or is gone)."""
        result = await self._session.execute(
            update(FollowUp)
            .where(FollowUp.id == followup_id, FollowUp.status == "scheduled")
            .values(status="skipped", note=note)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def for_identity(self, identity_id: int, limit: int = 20) -> Sequence[FollowUp]:
        """This chat's follow-ups, the latest due first."""
        result = await self._session.scalars(
            select(FollowUp)
            .where(FollowUp.identity_id == identity_id)
            .order_by(FollowUp.due_at.desc(), FollowUp.id.desc())
            .limit(limit)
        )
        return result.all()

    async def subjects_among(self, subjects: Sequence[str]) -> set[str]:
        """Which of these subjects have a follow-up already."""
        if not subjects:
            return set()
        result = await self._session.scalars(
            select(FollowUp.subject).where(FollowUp.subject.in_(list(subjects)))
        )
        return set(result.all())


def _recipient(customer_id: int | None, identity_id: int) -> ColumnElement[bool]:
    if customer_id is None:
        return FollowUp.identity_id == identity_id
    return or_(FollowUp.customer_id == customer_id, FollowUp.identity_id == identity_id)
