"""Staff editing the FAQ: checking, saving and deleting entries."""

# Every change stamps the entry later than any stored one (`FaqRepository.stamp`), so the FAQ
# table's revision moves and the assistant answers from the new entries on the next message.

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.unit_of_work import Sessions, unit_of_work
from bot.pipeline.faq_source import FaqSource, item_of
from core.clock import Clock
from core.settings import Settings
from handlers.faq.rule import confident, worth_suggesting
from knowledge import FaqItem, FaqMatch, KnowledgeBase
from knowledge.normalize import normalize
from storage.models import FaqEntry

QUESTION_LIMIT = 200
ANSWER_LIMIT = 2000
ALTERNATES_LIMIT = 50
CATEGORY_LIMIT = 64  # the column's size
ID_LIMIT = 100  # the column's size
ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# Paths under /console/faq/ that an entry id would hide.
RESERVED_IDS = ("new", "unanswered")
AUTO_ID = re.compile(r"faq-(\d+)")


# Unanswered questions: how far back to look, and how alike (rapidfuzz ratio of their matching
# forms, 0..100) two must be to count as one question asked in other words.
class FaqInvalid(ValueError):
    """An entry staff typed that cannot be saved; `errors` say why, in the staff's language."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class FaqNotFound(LookupError):
    """No FAQ entry has this id."""


@dataclass(frozen=True)
class FaqDraft:
    """An entry as typed into the form: alternates one per line, nothing checked yet."""

    id: str = ""
    question: str = ""
    answer: str = ""
    alternates: str = ""
    category: str = ""

    @classmethod
    def of(cls, item: FaqItem) -> "FaqDraft":
        return cls(item.id, item.question, item.answer, "\n".join(item.alternates), item.category)


def check_draft(draft: FaqDraft) -> FaqItem:
    """The entry to store, or FaqInvalid with every problem; an empty id stays empty."""
    errors: list[str] = []
    entry_id = draft.id.strip()
    question = one_line(draft.question)
    answer = draft.answer.replace("\r\n", "\n").replace("\x00", "").strip()
    category = one_line(draft.category)
    if entry_id and (len(entry_id) > ID_LIMIT or not ID_PATTERN.fullmatch(entry_id)):
        errors.append("编号只能用小写英文字母、数字、- 和 _，例如 shipping-time（最多 100 个字符）")
    elif entry_id in RESERVED_IDS:
        errors.append(f"编号「{entry_id}」是保留字，请换一个")
    if not question:
        errors.append("请填写问题")
    elif len(question) > QUESTION_LIMIT:
        errors.append(f"问题最多 {QUESTION_LIMIT} 个字（现在 {len(question)} 个）")
    if not answer:
        errors.append("请填写答案")
    elif len(answer) > ANSWER_LIMIT:
        errors.append(f"答案最多 {ANSWER_LIMIT} 个字（现在 {len(answer)} 个）")
    if len(category) > CATEGORY_LIMIT:
        errors.append(f"分类最多 {CATEGORY_LIMIT} 个字")
    alternates = _alternates(question, draft.alternates.splitlines())
    if len(alternates) > ALTERNATES_LIMIT:
        errors.append(f"其他问法最多 {ALTERNATES_LIMIT} 条（现在 {len(alternates)} 条）")
    errors += [
        f"每条问法最多 {QUESTION_LIMIT} 个字：「{text[:20]}…」"
        for text in alternates
        if len(text) > QUESTION_LIMIT
    ]
    if errors:
        raise FaqInvalid(errors)
    return FaqItem(entry_id, question, answer, tuple(alternates), category)


async def find_entries(
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    category_names: Mapping[str, str] | None = None,
) -> list[FaqItem]:
    """Entries whose id, question, answer, phrasings or category (its code or its name in
    `category_names`) contain the query."""
    async with unit_of_work(sessions) as repos:
        items = [item_of(row) for row in await repos.faq.all()]
    needle = query.strip().casefold()
    if not needle:
        return items
    names = category_names or {}
    return [
        item
        for item in items
        if any(
            needle in text.casefold()
            for text in (
                item.id,
                item.answer,
                item.category,
                names.get(item.category, ""),
                *item.phrasings,
            )
        )
    ]


async def get_entry(sessions: async_sessionmaker[AsyncSession], entry_id: str) -> FaqItem:
    async with unit_of_work(sessions) as repos:
        row = await repos.faq.get(entry_id)
    if row is None:
        raise FaqNotFound(entry_id)
    return item_of(row)


async def add_entry(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    draft: FaqDraft,
    staff_id: int,
    answered: Iterable[int] = (),
) -> FaqItem:
    """Store a new entry (making an id if none is given); forget the `answered` questions."""
    item = check_draft(draft)
    async with unit_of_work(sessions) as repos:
        rows = await repos.faq.all()
        if item.id and any(row.id == item.id for row in rows):
            raise FaqInvalid([f"编号「{item.id}」已被使用，请换一个"])
        if not item.id:
            item = replace(item, id=_next_id(rows))
        _check_phrasings(item, rows)
        now = await repos.faq.stamp(clock.now())
        await repos.faq.upsert([item], now)
        await repos.unanswered.delete(answered)
        await repos.audit.record(staff_id, "faq_add", now, item.id, item.question)
    return item


async def edit_entry(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    entry_id: str,
    draft: FaqDraft,
    staff_id: int,
) -> FaqItem:
    """Replace an entry's question, answer, phrasings and category; its id stays."""
    # Imported entries may have ids the form would refuse; they keep them.
    item = replace(check_draft(replace(draft, id="")), id=entry_id)
    async with unit_of_work(sessions) as repos:
        rows = await repos.faq.all()
        if not any(row.id == entry_id for row in rows):
            raise FaqNotFound(entry_id)
        _check_phrasings(item, rows)
        now = await repos.faq.stamp(clock.now())
        await repos.faq.upsert([item], now)
        await repos.audit.record(staff_id, "faq_edit", now, item.id, item.question)
    return item


async def delete_entry(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, entry_id: str, staff_id: int
) -> None:
    async with unit_of_work(sessions) as repos:
        row = await repos.faq.get(entry_id)
        if row is None:
            raise FaqNotFound(entry_id)
        question = row.question
        await repos.faq.delete(entry_id)
        await repos.audit.record(staff_id, "faq_delete", clock.now(), entry_id, question)


async def add_phrasing(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    entry_id: str,
    text: str,
    staff_id: int,
    answered: Iterable[int] = (),
) -> FaqItem:
    """Add a customer's wording to an entry's alternates and forget the `answered` questions."""
    async with unit_of_work(sessions) as repos:
        rows = await repos.faq.all()
        row = next((row for row in rows if row.id == entry_id), None)
        if row is None:
            raise FaqNotFound(entry_id)
        current = item_of(row)
        wording = one_line(text)
        if not wording:
            raise FaqInvalid(["请填写要添加的问法"])
        if normalize(wording) in {normalize(p) for p in current.phrasings}:
            raise FaqInvalid([f"「{wording}」已是条目 {entry_id} 的问法"])
        alternates = "\n".join((*current.alternates, wording))
        draft = FaqDraft("", current.question, current.answer, alternates, current.category)
        item = replace(check_draft(draft), id=entry_id)
        _check_phrasings(item, rows)
        now = await repos.faq.stamp(clock.now())
        await repos.faq.upsert([item], now)
        await repos.unanswered.delete(answered)
        await repos.audit.record(staff_id, "faq_alternate", now, entry_id, wording)
    return item


def customer_outcome(matches: Sequence[FaqMatch], settings: Settings) -> str:
    """What the FAQ rules do with these matches: "answer", "suggest" or "none"."""
    # Rules before the FAQ (complaints, orders …) may still take the text.
    if confident(matches, settings) is not None:
        return "answer"
    return "suggest" if worth_suggesting(matches, settings) else "none"


def one_line(text: str) -> str:
    """The text on one line, runs of white space made single spaces."""
    return " ".join(text.replace("\x00", "").split())


def _alternates(question: str, lines: Iterable[str]) -> list[str]:
    """Typed phrasings without blanks and without repeats of the question or each other."""
    seen = {normalize(question)}
    kept: list[str] = []
    for line in lines:
        text = one_line(line)
        key = normalize(text)
        if text and key not in seen:
            seen.add(key)
            kept.append(text)
    return kept


def _check_phrasings(item: FaqItem, rows: Sequence[FaqEntry]) -> None:
    """Refuse a phrasing another entry has: the bot could not tell which answer is meant."""
    owners = {
        key: row.id
        for row in rows
        if row.id != item.id
        for text in (row.question, *(row.alternates or ()))
        if (key := normalize(text))
    }
    errors = [
        f"「{text}」已是条目 {owners[key]} 的问法"
        for text in item.phrasings
        if (key := normalize(text)) in owners
    ]
    if errors:
        raise FaqInvalid(errors)


def _next_id(rows: Sequence[FaqEntry]) -> str:
    numbers = [int(m.group(1)) for row in rows if (m := AUTO_ID.fullmatch(row.id))]
    return f"faq-{max(numbers, default=0) + 1}"


async def current_knowledge(sessions: Sessions, faq: FaqSource) -> KnowledgeBase:
    """The knowledge base the assistant answers from, for the FAQ table as it is now."""
    async with unit_of_work(sessions) as repos:
        return await faq.current(repos)


async def faq_categories(sessions: Sessions) -> list[str]:
    """The categories stored entries use, sorted."""
    async with unit_of_work(sessions) as repos:
        rows = await repos.faq.all()
    return sorted({row.category for row in rows if row.category})
