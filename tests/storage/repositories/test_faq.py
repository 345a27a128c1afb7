"""FaqRepository and UnansweredRepository: the shop's answers and the questions without one."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage.repositories import Repositories
from tests.support.factories import add_chat


@dataclass(frozen=True)
class Entry:
    id: str
    question: str
    answer: str = "答案"
    alternates: tuple[str, ...] = field(default=())
    category: str = ""


async def test_upsert_adds_and_replaces_by_id(repos: Repositories, now: datetime) -> None:
    count = await repos.faq.count()

    first = await repos.faq.upsert([Entry("t-1", "问一"), Entry("t-2", "问二")], now)
    second = await repos.faq.upsert(
        [Entry("t-1", "新问一", alternates=("另一问",))], now + timedelta(hours=1)
    )

    assert (first, second) == ((2, 0), (0, 1))
    assert await repos.faq.count() == count + 2
    entry = await repos.faq.get("t-1")
    assert entry is not None and entry.question == "新问一" and entry.alternates == ["另一问"]
    changed = await repos.faq.changed_since(now)
    assert [e.id for e in changed] == ["t-1"]


async def test_delete_and_the_revision_moves(repos: Repositories, now: datetime) -> None:
    later = now + timedelta(days=400)  # after every entry of the prepared database
    await repos.faq.upsert([Entry("t-3", "问三")], later)
    revision = await repos.faq.revision()

    deleted = await repos.faq.delete("t-3")
    deleted_again = await repos.faq.delete("t-3")

    assert (deleted, deleted_again) == (True, False)
    assert "t-3" not in await repos.faq.ids()
    assert await repos.faq.revision() != revision


async def test_stamp_is_never_before_the_newest_change(repos: Repositories, now: datetime) -> None:
    later = now + timedelta(days=400)
    await repos.faq.upsert([Entry("t-4", "问四")], later)

    assert await repos.faq.stamp(later) == later + timedelta(microseconds=1)
    assert await repos.faq.stamp(later - timedelta(days=1)) == later + timedelta(microseconds=1)
    assert await repos.faq.stamp(later + timedelta(seconds=1)) == later + timedelta(seconds=1)


async def test_unanswered_questions_since_a_time_newest_first_and_deleted(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    messages = [
        await repos.messages.add_incoming(chat.conversation.id, chat.identity.id, text, None, now)
        for text in ("旧", "一", "二")
    ]
    await repos.unanswered.add(messages[0].id, "旧", 0.1, now - timedelta(days=8))
    await repos.unanswered.add(messages[1].id, "一", 0.2, now)
    await repos.unanswered.add(messages[2].id, "二", 0.3, now + timedelta(minutes=1))

    recent = await repos.unanswered.recent(now - timedelta(days=7))
    newest = await repos.unanswered.recent(now - timedelta(days=7), limit=1)
    await repos.unanswered.delete([recent[0].id])
    left = await repos.unanswered.recent(now - timedelta(days=7))

    assert [q.text for q in recent] == ["二", "一"]
    assert [q.text for q in left] == ["一"]
    assert [q.text for q in newest] == ["二"]
