"""Follow-ups: messages the bot sends on its own at a time, and what became of them.

Scheduling is idempotent by subject; every change of status is a conditional update, so two
processes on one database never both send a follow-up, nor both record one answer.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.enums import VISIT_KINDS, FollowUpKind, FollowUpStatus
from storage.models import FollowUp, Order, Staff, Ticket
from storage.repositories.dialect import hold_exclusively, hold_locks, insert_for
from storage.repositories.lookups import chats_and_customers

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
        insert = insert_for(self._session)
        values = [
            {
                "status": FollowUpStatus.SCHEDULED,
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
        # Only the rows inserted come back: a subject that exists is skipped, not counted.
        statement = (
            insert(FollowUp)
            .on_conflict_do_nothing(index_elements=["subject"])
            .returning(FollowUp.id)
        )
        added = await self._session.scalars(statement, values)
        return len(added.all())

    async def get(self, followup_id: int) -> FollowUp | None:
        return await self._session.get(FollowUp, followup_id, populate_existing=True)

    async def by_subject(self, subject: str) -> FollowUp | None:
        return await self._session.scalar(select(FollowUp).where(FollowUp.subject == subject))

    async def due_ids(self, now: datetime, limit: int, quiet_now: bool) -> Sequence[int]:
        """Scheduled follow-ups whose time has come, the longest waiting first; in quiet
        hours (`quiet_now`) only those staff timed themselves."""
        query = select(FollowUp.id).where(
            FollowUp.status == FollowUpStatus.SCHEDULED, FollowUp.due_at <= now
        )
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
                FollowUp.status == FollowUpStatus.SCHEDULED,
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
            .where(table.c.id == bindparam("row_id"), table.c.status == FollowUpStatus.SCHEDULED)
            .values(due_at=bindparam("new_due")),
            [{"row_id": row_id, "new_due": due} for row_id, due in new_times.items()],
        )

    async def hold_recipients(self, followups: Sequence[FollowUp]) -> None:
        """Hold the chats and customers of these visits until the transaction ends, across
        processes (PostgreSQL; SQLite's claim already holds its one write lock)."""
        visits = [f for f in followups if f.kind in VISIT_KINDS]
        names = [f"visit-chat:{f.identity_id}" for f in visits]
        names += [f"visit-customer:{f.customer_id}" for f in visits if f.customer_id is not None]
        await hold_locks(self._session, names)

    async def claim(self, followup_ids: Sequence[int], now: datetime) -> Sequence[FollowUp]:
        """Take due follow-ups for sending, the longest waiting first; those another worker
        took first are left out.

        Their status becomes `sent` at once: the caller records another outcome, or writes
        the outbox rows, in the same transaction.
        """
        if not followup_ids:
            return []
        claimed = await self._session.scalars(
            update(FollowUp)
            .where(
                FollowUp.id.in_(list(followup_ids)),
                FollowUp.status == FollowUpStatus.SCHEDULED,
                FollowUp.due_at <= now,
            )
            .values(status=FollowUpStatus.SENT, sent_at=now)
            .returning(FollowUp.id)
            .execution_options(synchronize_session=False)
        )
        ids = list(claimed.all())
        if not ids:
            return []
        rows = await self._session.scalars(
            select(FollowUp)
            .where(FollowUp.id.in_(ids))
            .order_by(FollowUp.due_at, FollowUp.id)
            .execution_options(populate_existing=True)
        )
        return rows.all()

    async def visited_since(
        self,
        identity_ids: Collection[int],
        customer_ids: Collection[int],
        since: datetime,
        excluding: Collection[int],
    ) -> tuple[set[int], set[int]]:
        """Which of these chats and customers were sent a visit of any kind since a time, not
        counting the follow-ups `excluding`: (identity ids, customer ids)."""
        return await chats_and_customers(
            self._session,
            FollowUp.identity_id,
            FollowUp.customer_id,
            identity_ids,
            customer_ids,
            FollowUp.kind.in_(VISIT_KINDS),
            FollowUp.sent_at >= since,  # only visits that went out have a sent_at
            FollowUp.id.not_in(list(excluding)),
        )

    async def care_visits_since(self, since: datetime) -> tuple[dict[int, datetime], set[int]]:
        """Care visits per customer: when the latest was tried since a time (sent, refused
        by the channel, skipped by a rule or cancelled by staff); and the customers with one
        still waiting to go.

        Every try counts: a courtesy that could not go this round waits for the next, rather
        than being tried again each day (or against staff's wish).
        """
        tried = func.coalesce(FollowUp.sent_at, FollowUp.due_at)
        rows = await self._session.execute(
            select(FollowUp.customer_id, FollowUp.status, func.max(tried))
            .where(
                FollowUp.kind == FollowUpKind.CARE,
                FollowUp.customer_id.is_not(None),
                or_(
                    FollowUp.status == FollowUpStatus.SCHEDULED,
                    and_(FollowUp.status != FollowUpStatus.SCHEDULED, tried >= since),
                ),
            )
            .group_by(FollowUp.customer_id, FollowUp.status)
        )
        tried_at: dict[int, datetime] = {}
        waiting: set[int] = set()
        for customer_id, status, latest in rows.all():
            if status == FollowUpStatus.SCHEDULED:
                waiting.add(customer_id)
            elif customer_id not in tried_at or latest > tried_at[customer_id]:
                tried_at[customer_id] = latest
        return tried_at, waiting

    async def hold_care_scheduling(self) -> None:
        """Hold the scheduling of care visits until the transaction ends, across processes,
        so the second process sees the visits the first scheduled."""
        await hold_exclusively(self._session, ["care-visits"], FollowUp)

    async def open_visit(self, identity_id: int, since: datetime) -> FollowUp | None:
        """The newest visit sent to this chat since a time and not answered yet."""
        return await self._session.scalar(
            select(FollowUp)
            .where(
                FollowUp.identity_id == identity_id,
                FollowUp.kind == FollowUpKind.VISIT,
                FollowUp.status == FollowUpStatus.SENT,
                FollowUp.sent_at >= since,
            )
            .order_by(FollowUp.sent_at.desc(), FollowUp.id.desc())
            .limit(1)
        )

    async def record_rating(self, followup_id: int, rating: int, now: datetime) -> bool:
        """Record the customer's rating of a visit once; False if it was answered already."""
        result = await self._session.execute(
            update(FollowUp)
            .where(FollowUp.id == followup_id, FollowUp.status == FollowUpStatus.SENT)
            .values(status=FollowUpStatus.ANSWERED, rating=rating, answered_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def expire_visits(self, sent_before: datetime) -> int:
        """Visits sent before a time and never answered: expired. The number expired."""
        result = await self._session.execute(
            update(FollowUp)
            .where(
                FollowUp.kind == FollowUpKind.VISIT,
                FollowUp.status == FollowUpStatus.SENT,
                FollowUp.sent_at < sent_before,
            )
            .values(status=FollowUpStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    async def cancel(self, followup_id: int, note: str) -> bool:
        """Cancel a follow-up that has not gone yet; False when it has (or is gone)."""
        result = await self._session.execute(
            update(FollowUp)
            .where(FollowUp.id == followup_id, FollowUp.status == FollowUpStatus.SCHEDULED)
            .values(status=FollowUpStatus.SKIPPED, note=note)
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

    async def visit_tallies_by_ticket_kind(
        self, since: datetime, until: datetime
    ) -> dict[str | None, "VisitTally"]:
        """Visits sent between two times, by the kind of ticket they ask about (None: an
        order's delivery)."""
        rows = await self._session.execute(
            select(Ticket.kind, *_tally_columns())
            .select_from(FollowUp)
            .outerjoin(Ticket, Ticket.id == FollowUp.ticket_id)
            .where(_visit_sent_between(since, until))
            .group_by(Ticket.kind)
        )
        return {kind: VisitTally(*figures) for kind, *figures in rows.all()}

    async def visit_tallies_by_staff(
        self, since: datetime, until: datetime
    ) -> list[tuple[int | None, str | None, "VisitTally"]]:
        """Visits after tickets sent between two times, by who resolved the ticket: (staff
        id, display name, tally), both None when no console user did."""
        rows = await self._session.execute(
            select(FollowUp.staff_id, Staff.display_name, *_tally_columns())
            .outerjoin(Staff, Staff.id == FollowUp.staff_id)
            .where(_visit_sent_between(since, until), FollowUp.ticket_id.is_not(None))
            .group_by(FollowUp.staff_id, Staff.display_name)
        )
        return [(staff_id, name, VisitTally(*figures)) for staff_id, name, *figures in rows.all()]

    async def visit_ratings_between(self, since: datetime, until: datetime) -> dict[int, int]:
        """rating → answers, of the visits sent between two times."""
        rows = await self._session.execute(
            select(FollowUp.rating, func.count())
            .where(_visit_sent_between(since, until), FollowUp.status == FollowUpStatus.ANSWERED)
            .group_by(FollowUp.rating)
        )
        return {rating: count for rating, count in rows.all() if rating is not None}

    async def visits_not_sent_between(
        self, since: datetime, until: datetime
    ) -> dict[tuple[str, str], int]:
        """(status, note) → visits due between two times that were skipped or undeliverable."""
        rows = await self._session.execute(
            select(FollowUp.status, FollowUp.note, func.count())
            .where(
                FollowUp.kind == FollowUpKind.VISIT,
                FollowUp.status.in_((FollowUpStatus.SKIPPED, FollowUpStatus.UNDELIVERABLE)),
                FollowUp.due_at >= since,
                FollowUp.due_at <= until,
            )
            .group_by(FollowUp.status, FollowUp.note)
        )
        return {(status, note): count for status, note, count in rows.all()}

    async def low_rated_visits(
        self, since: datetime, until: datetime, at_most: int, limit: int
    ) -> list["LowRatedVisit"]:
        """Visits sent between two times and rated `at_most` or lower, the latest answer
        first, with what they asked about and the follow-up ticket they opened."""
        visited, followup = aliased(Ticket), aliased(Ticket)
        rows = await self._session.execute(
            select(
                FollowUp.answered_at,
                FollowUp.rating,
                FollowUp.comment,
                Order.order_no,
                visited.number,
                followup.number,
                followup.status,
            )
            .outerjoin(Order, Order.id == FollowUp.order_id)
            .outerjoin(visited, visited.id == FollowUp.ticket_id)
            .outerjoin(followup, followup.id == FollowUp.followup_ticket_id)
            .where(
                _visit_sent_between(since, until),
                FollowUp.status == FollowUpStatus.ANSWERED,
                FollowUp.rating <= at_most,
            )
            .order_by(FollowUp.answered_at.desc(), FollowUp.id.desc())
            .limit(limit)
        )
        return [LowRatedVisit(*row) for row in rows.all()]


@dataclass(frozen=True)
class VisitTally:
    """Visits sent in a period: how many, how many were answered or expired unanswered,
    and the sum of their ratings."""

    sent: int
    answered: int
    expired: int
    rating_total: int


@dataclass(frozen=True)
class LowRatedVisit:
    """A visit answered with a low rating: what it asked about, the ticket it opened."""

    answered_at: datetime
    rating: int
    comment: str
    order_no: str | None  # a visit after an order's delivery
    visited_ticket: str | None  # a visit after a ticket: its number
    followup_ticket: str | None  # the follow-up ticket's number, when one was opened
    followup_status: str | None


def _visit_sent_between(since: datetime, until: datetime) -> ColumnElement[bool]:
    # Skipped and undeliverable visits have no sent_at: only sent ones match.
    return and_(
        FollowUp.kind == FollowUpKind.VISIT, FollowUp.sent_at >= since, FollowUp.sent_at <= until
    )


def _tally_columns() -> tuple[ColumnElement[int], ...]:
    """A VisitTally's columns, in its order, for a grouped query over visits."""
    return (
        func.count(),
        func.coalesce(func.sum(case((FollowUp.status == FollowUpStatus.ANSWERED, 1), else_=0)), 0),
        func.coalesce(func.sum(case((FollowUp.status == FollowUpStatus.EXPIRED, 1), else_=0)), 0),
        func.coalesce(
            func.sum(case((FollowUp.status == FollowUpStatus.ANSWERED, FollowUp.rating), else_=0)),
            0,
        ),
    )
