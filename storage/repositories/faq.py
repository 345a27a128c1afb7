"""The shop's FAQ entries and the questions the bot could not answer."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FaqEntry, UnansweredQuestion


class FaqFields(Protocol):
    """What an FAQ entry to store has (the knowledge base's entries fit)."""

    @property
    def id(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def alternates(self) -> Sequence[str]: ...
    @property
    def category(self) -> str: ...


# Entry count and newest change: any add, edit or delete changes one of them.
FaqRevision = tuple[int, datetime | None]


class FaqRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> Sequence[FaqEntry]:
        rows = await self._session.scalars(select(FaqEntry).order_by(FaqEntry.id))
        return rows.all()

    async def changed_since(self, when: datetime) -> Sequence[FaqEntry]:
        """Entries added or edited after `when`."""
        rows = await self._session.scalars(select(FaqEntry).where(FaqEntry.updated_at > when))
        return rows.all()

    async def ids(self) -> set[str]:
        return set(await self._session.scalars(select(FaqEntry.id)))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(FaqEntry)) or 0

    async def get(self, entry_id: str) -> FaqEntry | None:
        return await self._session.get(FaqEntry, entry_id)

    async def delete(self, entry_id: str) -> bool:
        """Remove an entry; False when there was none with this id."""
        row = await self._session.get(FaqEntry, entry_id)
        if row is None:
            return False
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def revision(self) -> FaqRevision:
        count, newest = (
            await self._session.execute(select(func.count(), func.max(FaqEntry.updated_at)))
        ).one()
        return count, newest

    async def stamp(self, now: datetime) -> datetime:
        """`now`, or just after the newest stored change when that is not earlier."""
        # A coarse or skewed clock must not leave the revision where it was.
        newest = (await self.revision())[1]
        if newest is not None and newest >= now:
            return newest + timedelta(microseconds=1)
        return now

    async def upsert(self, records: Iterable[FaqFields], now: datetime) -> tuple[int, int]:
        """Add new entries and replace existing ones by id; returns (added, updated)."""
        added = updated = 0
        for record in records:
            row = await self._session.get(FaqEntry, record.id)
            if row is None:
                row = FaqEntry(id=record.id)
                self._session.add(row)
                added += 1
            else:
                updated += 1
            row.question = record.question
            row.answer = record.answer
            row.alternates = list(record.alternates)
            row.category = record.category
            row.updated_at = now
        await self._session.flush()
        return added, updated


class UnansweredRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message_id: int, text: str, best_score: float, now: datetime) -> None:
        self._session.add(
            UnansweredQuestion(
                message_id=message_id, text=text, best_score=best_score, created_at=now
            )
        )
        await self._session.flush()

    async def recent(self, since: datetime, limit: int = 500) -> Sequence[UnansweredQuestion]:
        """Questions asked since a time, newest first."""
        rows = await self._session.scalars(
            select(UnansweredQuestion)
            .where(UnansweredQuestion.created_at >= since)
            .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def delete(self, ids: Iterable[int]) -> None:
        """Forget these questions: staff have dealt with them."""
        wanted = list(ids)
        if wanted:
            await self._session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.id.in_(wanted))
            )
