"""Unanswered questions grouped for staff (bot.desk.unanswered_questions)."""

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rapidfuzz import fuzz

from bot.desk import unanswered_questions
from bot.desk.unanswered_questions import (
    GROUPED_CHARS,
    UNANSWERED_ROWS,
    UnansweredGroup,
    dismiss_unanswered,
    group_questions,
    unanswered_groups,
)
from bot.services import Services
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.text import random_chinese

T0 = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Asked:
    id: int
    text: str
    created_at: datetime


def asked(*texts: str) -> list[Asked]:
    """Questions asked a minute apart, the last one newest."""
    return [Asked(n, text, T0 + timedelta(minutes=n)) for n, text in enumerate(texts, 1)]


def test_similar_questions_are_grouped_and_different_ones_kept_apart() -> None:
    groups = group_questions(
        asked(
            "你们有实体店吗",
            "怎么退货",
            "你们有实体店吗？？",
            "你们有没有实体店",
            "怎么换货",
            "   ",
            "能用花呗分期吗",
            "你们有实体店吗",
        )
    )
    assert [(g.ids, g.count) for g in groups] == [
        ((1, 3, 4, 8), 4),
        ((7,), 1),
        ((5,), 1),
        ((2,), 1),
    ]
    store = groups[0]
    assert store.text == "你们有实体店吗"  # the most asked wording
    assert store.examples == ("你们有实体店吗", "你们有没有实体店", "你们有实体店吗？？")
    assert store.last_asked == T0 + timedelta(minutes=8)


def test_a_chain_of_small_differences_does_not_join_unrelated_questions() -> None:
    texts = ["退货运费谁出", "退货运费谁付", "换货运费谁付", "换货邮费谁付啊朋友"]
    groups = group_questions(asked(*texts, texts[0]))
    # 换货运费谁付 is as close to 退货运费谁付 as that is to 退货运费谁出, yet it leads a group
    assert [g.ids for g in groups] == [(1, 2, 5), (3, 4)]


async def test_dismissed_and_old_questions_are_not_listed(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int
) -> None:
    await chat.as_user("a").ask("能用花呗分期吗")
    clock.advance(days=31)
    assert await unanswered_groups(services.sessions, clock.now()) == []
    await chat.as_user("b").ask("你们有实体店吗")
    [group] = await unanswered_groups(services.sessions, clock.now())
    await dismiss_unanswered(services.sessions, clock, list(group.ids), staff_id)
    assert await unanswered_groups(services.sessions, clock.now()) == []


def test_grouping_500_long_random_questions_compares_only_their_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(17)
    texts = [random_chinese(rng, 4000) for _ in range(UNANSWERED_ROWS)]
    compared: list[int] = []
    ratio = fuzz.ratio

    def counted_ratio(a: str, b: str, **options: float) -> float:
        # Checked on every comparison: comparing whole questions took minutes.
        assert max(len(a), len(b)) <= GROUPED_CHARS
        compared.append(max(len(a), len(b)))
        return ratio(a, b, **options)

    monkeypatch.setattr(fuzz, "ratio", counted_ratio)
    groups = group_questions(asked(*texts))

    # Nothing alike: each its own group, shown whole.
    assert sorted(len(group.text) for group in groups) == [4000] * UNANSWERED_ROWS
    pairs = UNANSWERED_ROWS * (UNANSWERED_ROWS - 1) // 2
    assert 0 < len(compared) <= pairs


async def test_grouping_leaves_the_event_loop_free(
    services: Services, chat: Chat, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.ask("你们有实体店吗")
    threads: list[threading.Thread] = []
    group = unanswered_questions.group_questions

    def recorded(*args: Any) -> list[UnansweredGroup]:
        threads.append(threading.current_thread())
        return group(*args)

    monkeypatch.setattr(unanswered_questions, "group_questions", recorded)
    [store] = await unanswered_groups(services.sessions, clock.now())
    assert store.text == "你们有实体店吗"
    # Customers' messages are answered on the event loop's thread meanwhile.
    assert threads and threading.main_thread() not in threads
