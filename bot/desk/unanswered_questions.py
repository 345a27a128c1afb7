"""Questions the bot could not answer, grouped so staff see what customers keep asking."""

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.faq_admin import one_line
from bot.desk.unit_of_work import unit_of_work
from core.clock import Clock
from knowledge.matcher import matching_form
from knowledge.synonyms import Synonyms

UNANSWERED_DAYS = 30
UNANSWERED_ROWS = 500
SIMILAR_RATIO = 80.0
# Questions are grouped by how their first GROUPED_CHARS characters read. Real questions are
# shorter; comparing 500 pasted essays in full held the event loop for minutes. Up to 64
# characters, rapidfuzz compares two texts in one machine word.
GROUPED_CHARS = 64


class AskedQuestion(Protocol):
    """What grouping needs of an unanswered question."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class _Asked:
    """An unanswered question's fields, read off its row for the grouping thread."""

    id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class UnansweredGroup:
    """Unanswered questions that ask the same thing."""

    ids: tuple[int, ...]
    examples: tuple[str, ...]  # distinct texts, the most asked first
    count: int
    last_asked: datetime

    @property
    def text(self) -> str:
        return self.examples[0]


async def dismiss_unanswered(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, ids: Sequence[int], staff_id: int
) -> None:
    """Forget unanswered questions that need no entry (greetings, noise)."""
    async with unit_of_work(sessions) as repos:
        await repos.unanswered.delete(ids)
        detail = ",".join(map(str, ids))
        await repos.audit.record(staff_id, "unanswered_dismiss", clock.now(), "", detail)


async def unanswered_groups(
    sessions: async_sessionmaker[AsyncSession], now: datetime, synonyms: Synonyms | None = None
) -> list[UnansweredGroup]:
    """The recent unanswered questions, grouped, the most asked first."""
    since = now - timedelta(days=UNANSWERED_DAYS)
    async with unit_of_work(sessions) as repos:
        rows = await repos.unanswered.recent(since, UNANSWERED_ROWS)
        asked = [_Asked(row.id, row.text, row.created_at) for row in rows]
    # Bounded, yet a few hundred milliseconds for 500 long questions: not on the event loop.
    return await asyncio.to_thread(group_questions, asked, synonyms)


def group_questions(
    questions: Iterable[AskedQuestion], synonyms: Synonyms | None = None
) -> list[UnansweredGroup]:
    """Questions with the same matching form (its first GROUPED_CHARS characters) together,
    and forms nearly alike merged; the synonym groups are the assistant's, or else read from
    the bundled file."""
    synonyms = synonyms if synonyms is not None else Synonyms.from_file()
    # A form joins the group whose first (most asked) form is most alike, if SIMILAR_RATIO
    # alike; comparing with that one only keeps a chain of small differences from pulling
    # unrelated questions into one group.
    by_form: dict[str, list[AskedQuestion]] = {}
    for question in questions:
        if question.text.strip():
            # Synonyms folded: 邮费谁付 and 运费谁付 ask one thing.
            form = synonyms.fold(matching_form(question.text)) or question.text.strip()
            by_form.setdefault(form[:GROUPED_CHARS], []).append(question)
    clusters: list[list[str]] = []
    for form in sorted(by_form, key=lambda f: (-len(by_form[f]), f)):
        leaders = [cluster[0] for cluster in clusters]
        best = process.extractOne(form, leaders, scorer=fuzz.ratio, score_cutoff=SIMILAR_RATIO)
        if best is None:
            clusters.append([form])
        else:
            clusters[best[2]].append(form)
    groups = [_group([q for form in cluster for q in by_form[form]]) for cluster in clusters]
    return sorted(groups, key=lambda g: (-g.count, -g.last_asked.timestamp(), g.ids))


def _group(questions: list[AskedQuestion]) -> UnansweredGroup:
    counts: dict[str, int] = {}
    for question in sorted(questions, key=lambda q: (q.created_at, q.id), reverse=True):
        text = one_line(question.text)
        counts[text] = counts.get(text, 0) + 1
    # Ties keep the newest first: dicts keep insertion order and the sort is stable.
    examples = sorted(counts, key=lambda text: -counts[text])
    return UnansweredGroup(
        ids=tuple(sorted(q.id for q in questions)),
        examples=tuple(examples),
        count=len(questions),
        last_asked=max(q.created_at for q in questions),
    )
