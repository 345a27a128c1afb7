"""Reports for the shop: what the complaints were about and how fast they were handled."""

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.unit_of_work import unit_of_work
from core.clock import Clock
from handlers.complaints.words import CATEGORIES, SEVERITIES
from storage.models import Ticket


@dataclass(frozen=True)
class ComplaintReport:
    since: datetime
    until: datetime
    total: int
    # (category, severity) → complaints; a complaint without a category counts as "other".
    counts: dict[tuple[str, str], int]
    answered_in_time: int
    # Answered late, or not answered and already past the first-response deadline.
    answered_late_or_missed: int
    median_time_to_resolve: timedelta | None  # None when none was resolved
    resolved: int

    @property
    def judged(self) -> int:
        """Complaints whose first response can be judged: answered, or past the deadline."""
        return self.answered_in_time + self.answered_late_or_missed

    @property
    def in_time_share(self) -> float | None:
        """The share answered within the first-response deadline, None when none is judged."""
        return self.answered_in_time / self.judged if self.judged else None

    def by_category(self, category: str) -> int:
        return sum(n for (c, _), n in self.counts.items() if c == category)

    def by_severity(self, severity: str) -> int:
        return sum(n for (_, s), n in self.counts.items() if s == severity)

    def categories(self) -> list[str]:
        """The known categories in their usual order, then any others found."""
        found = {category for category, _ in self.counts}
        return [*CATEGORIES, *sorted(found - set(CATEGORIES))]

    def severities(self) -> list[str]:
        found = {severity for _, severity in self.counts}
        return [*SEVERITIES, *sorted(found - set(SEVERITIES))]


async def complaint_report(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, days: int = 30
) -> ComplaintReport:
    """Complaints opened in the last `days` days."""
    until = clock.now()
    since = until - timedelta(days=days)
    async with unit_of_work(sessions) as repos:
        complaints = await repos.tickets.search(kind="complaint", since=since, limit=None)
    return summarise(complaints, since, until)


def summarise(complaints: Sequence[Ticket], since: datetime, until: datetime) -> ComplaintReport:
    """The report over these complaints, judging deadlines as of `until`."""
    counts = Counter((t.category or "other", t.severity) for t in complaints)
    in_time = sum(
        1
        for t in complaints
        if t.first_response_at is not None and t.first_response_at <= t.first_response_due
    )
    missed = sum(
        1
        for t in complaints
        if (t.first_response_at is not None and t.first_response_at > t.first_response_due)
        or (t.first_response_at is None and t.first_response_due < until)
    )
    durations = [t.resolved_at - t.created_at for t in complaints if t.resolved_at is not None]
    return ComplaintReport(
        since=since,
        until=until,
        total=len(complaints),
        counts=dict(counts),
        answered_in_time=in_time,
        answered_late_or_missed=missed,
        median_time_to_resolve=statistics.median(durations) if durations else None,
        resolved=len(durations),
    )
