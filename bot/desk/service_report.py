"""The service report: customer messages per day, FAQ and handover rates, tickets, complaints."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.unit_of_work import unit_of_work
from core.clock import Clock
from core.enums import TicketKind
from handlers.complaints.words import CATEGORIES
from handlers.faq.fallback import FallbackRule
from handlers.faq.rule import FaqRule
from storage.models import HANDOVER_REASONS, TICKET_KINDS, TICKET_STATUSES

REPORT_DAYS = (7, 30, 90)
# Incoming messages the FAQ answered: a confident match, or a pick among its suggestions.
FAQ_HANDLERS = (FaqRule.name, *FaqRule.flows)
# Incoming messages the FAQ was tried on and could not answer.
MISSED_HANDLERS = (FallbackRule.name,)


@dataclass(frozen=True)
class Ratio:
    """`part` of `whole`, e.g. FAQ answers of the questions the FAQ was tried on."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        """The part as a fraction of the whole; None when the whole is zero."""
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class DayCount:
    day: date  # in the shop's time zone
    count: int


@dataclass(frozen=True)
class ServiceReport:
    """Figures over whole days in the shop's time zone, the last one being today."""

    days: int
    since: datetime  # midnight, shop time, of the first day
    until: datetime  # when the report was made: deadlines are judged as of then
    messages_per_day: list[DayCount]
    faq_answers: Ratio  # answered from the FAQ, of those answered by the FAQ or the fallback
    handovers: Ratio  # conversations handed to a person, of conversations with customers
    handovers_by_reason: dict[str, int]
    # (kind, status) → tickets created in the period, by their status now.
    tickets: dict[tuple[str, str], int]
    complaints_by_category: dict[str, int]  # a complaint without a category is "other"
    first_response: Ratio  # in time, of tickets answered or past their deadline

    @property
    def customer_messages(self) -> int:
        return sum(day.count for day in self.messages_per_day)

    def ticket_kinds(self) -> list[str]:
        """The known kinds, then any others found."""
        return _known_then_found(TICKET_KINDS, {kind for kind, _ in self.tickets})

    def ticket_statuses(self) -> list[str]:
        return _known_then_found(TICKET_STATUSES, {status for _, status in self.tickets})

    def tickets_of_kind(self, kind: str) -> int:
        return sum(n for (k, _), n in self.tickets.items() if k == kind)

    def tickets_in_status(self, status: str) -> int:
        return sum(n for (_, s), n in self.tickets.items() if s == status)


def day_starts(now: datetime, zone: tzinfo, days: int) -> list[datetime]:
    """Midnights in the shop's zone: the first of `days` days ending today, up to tomorrow's."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    # Wall-clock midnights, so a day is right even where clocks change for summer time.
    return [datetime.combine(first + timedelta(days=n), time(0), zone) for n in range(days + 1)]


async def service_report(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, zone: tzinfo, days: int = 7
) -> ServiceReport:
    """The report over the last `days` days, today included."""
    if days < 1:
        raise ValueError("a report covers at least one day")
    now = clock.now()
    starts = day_starts(now, zone, days)
    since, end = starts[0], starts[-1]
    async with unit_of_work(sessions) as repos:
        per_day = await repos.messages.incoming_counts(starts)
        handlers = await repos.messages.incoming_by_handler(since, end)
        conversations = await repos.messages.conversations_with_incoming(since, end)
        handovers = await repos.handovers.requested_between(since, end)
        tickets = await repos.tickets.counts_created_between(since, end)
        met, missed = await repos.tickets.first_responses_between(since, end, now)
    faq = sum(handlers.get(name, 0) for name in FAQ_HANDLERS)
    tried = faq + sum(handlers.get(name, 0) for name in MISSED_HANDLERS)
    by_kind_status: Counter[tuple[str, str]] = Counter()
    by_category: Counter[str] = Counter()
    for (kind, status, category), n in tickets.items():
        by_kind_status[kind, status] += n
        if kind == TicketKind.COMPLAINT:
            by_category[category or "other"] += n
    reasons = Counter(handover.reason for handover in handovers)
    return ServiceReport(
        days=days,
        since=since,
        until=now,
        messages_per_day=[
            DayCount(start.date(), n) for start, n in zip(starts[:-1], per_day, strict=True)
        ],
        faq_answers=Ratio(faq, tried),
        handovers=Ratio(len({handover.conversation_id for handover in handovers}), conversations),
        handovers_by_reason=_in_order(HANDOVER_REASONS, reasons),
        tickets=dict(by_kind_status),
        complaints_by_category=_in_order(CATEGORIES, by_category),
        first_response=Ratio(met, met + missed),
    )


def _known_then_found(known: tuple[str, ...], found: set[str]) -> list[str]:
    return [*known, *sorted(found - set(known))]


def _in_order(known: tuple[str, ...], counts: Counter[str]) -> dict[str, int]:
    """Every known code (zero when absent) in its usual order, then any others found."""
    return {code: counts.get(code, 0) for code in _known_then_found(known, set(counts))}
