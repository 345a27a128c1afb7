"""The satisfaction report: how the visits (回访) of a period went, by what they asked about
and by who resolved the ticket, and the low scores that need a person."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.service_report import Ratio
from bot.desk.unit_of_work import unit_of_work
from core.clock import Clock
from storage.models import TICKET_KINDS
from storage.repositories.followups import LowRatedVisit, VisitTally

RATINGS = (1, 2, 3, 4, 5)
# Ratings up to this are low: they open a follow-up ticket (DESIGN §4).
LOW_RATING = 2
# What a visit after an order's delivery asks about, beside the ticket kinds.
DELIVERY = "delivery"
# The newest low scores listed; the distribution counts them all.
LOW_SCORES_LISTED = 50

Code = TypeVar("Code", int, str)


@dataclass(frozen=True)
class VisitFigures:
    """Visits sent to one group (or all): answered, expired, their ratings."""

    sent: int = 0
    answered: int = 0
    expired: int = 0
    rating_total: int = 0

    @classmethod
    def of(cls, tally: VisitTally) -> "VisitFigures":
        return cls(tally.sent, tally.answered, tally.expired, tally.rating_total)

    @classmethod
    def summed(cls, parts: Iterable["VisitFigures"]) -> "VisitFigures":
        total = cls()
        for part in parts:
            total = cls(
                total.sent + part.sent,
                total.answered + part.answered,
                total.expired + part.expired,
                total.rating_total + part.rating_total,
            )
        return total

    @property
    def answers(self) -> Ratio:
        """Answered, of those sent."""
        return Ratio(self.answered, self.sent)

    @property
    def waiting(self) -> int:
        """Sent, neither answered nor expired yet."""
        return self.sent - self.answered - self.expired

    @property
    def average(self) -> float | None:
        """The average rating of the answered ones; None when none was answered."""
        return self.rating_total / self.answered if self.answered else None


@dataclass(frozen=True)
class AgentFigures:
    """Visits after the tickets one staff member resolved."""

    staff_id: int | None  # None: resolved by no one signed in to the console
    name: str | None  # the display name
    figures: VisitFigures


@dataclass(frozen=True)
class SatisfactionReport:
    """Visits sent in the last `days` days, as they stand at `until`."""

    days: int
    since: datetime
    until: datetime
    total: VisitFigures
    ratings: dict[int, int]  # rating → answers: 1 to 5 always, then any other found
    # DELIVERY, then every ticket kind, then any other kind found.
    by_subject: dict[str, VisitFigures]
    by_agent: list[AgentFigures]  # visits after tickets only; the most visited first
    # (skipped|undeliverable, note) → visits due in the period that did not go.
    not_sent: dict[tuple[str, str], int]
    low_scores: list[LowRatedVisit]  # the newest LOW_SCORES_LISTED, latest answer first

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    def rating_share(self, rating: int) -> Ratio:
        """Answers with this rating, of all answers."""
        return Ratio(self.ratings.get(rating, 0), self.rated)

    @property
    def low_score_count(self) -> int:
        return sum(n for rating, n in self.ratings.items() if rating <= LOW_RATING)

    def not_sent_with(self, status: str) -> int:
        """Visits due in the period that were skipped, or undeliverable."""
        return sum(n for (found, _), n in self.not_sent.items() if found == status)


async def satisfaction_report(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, days: int = 30
) -> SatisfactionReport:
    """The visits sent in the last `days` days (and those due in them that did not go)."""
    if days < 1:
        raise ValueError("a report covers at least one day")
    until = clock.now()
    since = until - timedelta(days=days)
    async with unit_of_work(sessions) as repos:
        followups = repos.followups
        by_kind = await followups.visit_tallies_by_ticket_kind(since, until)
        by_staff = await followups.visit_tallies_by_staff(since, until)
        ratings = await followups.visit_ratings_between(since, until)
        not_sent = await followups.visits_not_sent_between(since, until)
        low_scores = await followups.low_rated_visits(since, until, LOW_RATING, LOW_SCORES_LISTED)
    by_subject = {kind or DELIVERY: VisitFigures.of(tally) for kind, tally in by_kind.items()}
    subjects = _known_then_found((DELIVERY, *TICKET_KINDS), by_subject)
    agents = [AgentFigures(staff_id, name, VisitFigures.of(t)) for staff_id, name, t in by_staff]
    # The most visited first; visits with nobody to thank last.
    agents.sort(key=lambda a: (a.staff_id is None, -a.figures.sent, a.name or ""))
    return SatisfactionReport(
        days=days,
        since=since,
        until=until,
        total=VisitFigures.summed(by_subject.values()),
        ratings={rating: ratings.get(rating, 0) for rating in _known_then_found(RATINGS, ratings)},
        by_subject={subject: by_subject.get(subject, VisitFigures()) for subject in subjects},
        by_agent=agents,
        not_sent=dict(sorted(not_sent.items(), key=lambda item: (item[0][0], -item[1]))),
        low_scores=low_scores,
    )


def _known_then_found(known: tuple[Code, ...], found: Iterable[Code]) -> list[Code]:
    """The known codes in their usual order, then any others found."""
    return [*known, *sorted(set(found) - set(known))]
