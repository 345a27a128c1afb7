"""The knowledge base: loading files, and finding the right answer for real phrasings."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from core.settings import Settings
from knowledge import FaqItem, KnowledgeBase
from knowledge.loaders import DEFAULT_FAQ, load_entries

HERE = Path(__file__).parent


def _yaml(name: str) -> list:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_file(DEFAULT_FAQ)


def test_default_faq_covers_a_shop(kb: KnowledgeBase) -> None:
    assert len(kb) >= 40
    for entry in kb.entries:
        assert len(entry.alternates) >= 2, entry.id
        assert entry.answer and entry.category
    categories = {e.category for e in kb.entries}
    for needed in ("shipping", "returns", "refund", "invoice", "payment", "pricing", "agent"):
        assert needed in categories


def test_every_phrasing_finds_its_own_entry(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        for phrasing in entry.phrasings:
            best = kb.search(phrasing, limit=1)[0]
            assert best.entry.id == entry.id, (phrasing, best.entry.id)
            assert best.score >= 95


def test_customers_own_wording_is_matched(kb: KnowledgeBase) -> None:
    settings = Settings()
    questions = _yaml("customer_questions.yaml")
    top1 = answered = 0
    for question, expected in questions:
        best = kb.search(question, limit=1)[0]
        if best.entry.id == expected:
            top1 += 1
            answered += best.confidence >= settings.faq_answer_confidence
    assert top1 / len(questions) >= 0.85
    assert answered / len(questions) >= 0.7


def test_unrelated_questions_are_rarely_answered(kb: KnowledgeBase) -> None:
    threshold = Settings().faq_answer_confidence
    questions = _yaml("unrelated_questions.yaml")
    answered = [q for q in questions if kb.search(q, limit=1)[0].confidence >= threshold]
    assert len(answered) <= len(questions) // 10


def test_traditional_full_width_and_filler_do_not_matter(kb: KnowledgeBase) -> None:
    plain = kb.search("退款多久能到账", limit=1)[0]
    variants = (
        "請問退款多久能到賬？？",
        "你好，我想问一下退款多久能到账呢",
        "退款多久能到账！！！！",
    )
    for variant in variants:
        best = kb.search(variant, limit=1)[0]
        assert best.entry.id == plain.entry.id
        assert best.score >= 90


def test_search_orders_best_first_and_respects_limit(kb: KnowledgeBase) -> None:
    matches = kb.search("退货", limit=3)
    assert len(matches) == 3
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0 <= m.score <= 100 for m in matches)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "？？！！", "\x00\x01"])
def test_nothing_to_match_gives_no_matches(kb: KnowledgeBase, text: str) -> None:
    assert kb.search(text) == []


def test_loads_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "faq.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in (
                {"id": "a", "question": "可以开发票吗", "answer": "可以", "alternates": ["要发票"]},
                {"id": "b", "question": "几点下班", "answer": "21点", "category": "contact"},
            )
        ),
        encoding="utf-8",
    )
    csv = tmp_path / "faq.csv"
    csv.write_text(
        "id,question,answer,alternates,category\nc,支持花呗吗,支持,能用花呗吗|花呗分期,payment\n",
        encoding="utf-8",
    )
    from_jsonl = KnowledgeBase.from_file(jsonl)
    assert from_jsonl.search("要发票", limit=1)[0].entry.answer == "可以"
    assert from_jsonl.get("b").category == "contact"
    from_csv = KnowledgeBase.from_file(csv)
    assert from_csv.get("c").alternates == ("能用花呗吗", "花呗分期")


def test_bad_entries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text('{"id": "x", "question": "没有答案"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="answer"):
        load_entries(path)
    path.write_text(
        '{"id": "x", "question": "q", "answer": "a"}\n'
        '{"id": "x", "question": "q2", "answer": "b"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="duplicate"):
        KnowledgeBase.from_file(path)
    with pytest.raises(ValueError, match="unsupported"):
        load_entries(tmp_path / "faq.txt")


QUESTIONS = ("退款多久能到账", "运费怎么算", "发票", "包邮吗", "你们发什么快递", "孕妇能用吗")


def results(kb: KnowledgeBase) -> list[list[tuple[str, float, float]]]:
    return [[(m.entry.id, m.score, m.confidence) for m in kb.search(q, 5)] for q in QUESTIONS]


def test_edits_search_like_a_knowledge_base_built_afresh() -> None:
    entries = load_entries(DEFAULT_FAQ)
    kb = KnowledgeBase(entries)
    first = entries[0]
    kb.put(replace(first, alternates=(*first.alternates, "拍下以后什么时候寄出")))
    kb.remove(entries[1].id)
    kb.add(FaqItem("store", "你们有实体店吗", "只在网上卖哦", ("线下店在哪",), "store"))
    kb.put(replace(entries[2], answer="新的回答"))
    expected = [
        replace(first, alternates=(*first.alternates, "拍下以后什么时候寄出")),
        replace(entries[2], answer="新的回答"),
        *entries[3:],
        FaqItem("store", "你们有实体店吗", "只在网上卖哦", ("线下店在哪",), "store"),
    ]
    fresh = KnowledgeBase(expected)
    assert results(kb) == results(fresh)
    assert kb.get("store") is not None and kb.get(entries[1].id) is None
    assert kb.get(entries[2].id).answer == "新的回答"  # type: ignore[union-attr]


def test_a_phrasing_staff_add_counts_at_once(kb: KnowledgeBase) -> None:
    question = "拍下以后要等几天才寄出来"
    own = KnowledgeBase(kb.entries)
    entry = own.get("shipping-time")
    assert entry is not None
    own.put(replace(entry, alternates=(*entry.alternates, question)))
    best = own.search(question, limit=1)[0]
    assert best.entry.id == "shipping-time" and best.score == 100


def test_many_edits_keep_results_right() -> None:
    entries = load_entries(DEFAULT_FAQ)
    kb = KnowledgeBase(entries)
    for round_ in range(5):  # every entry replaced five times: the index is rebuilt on the way
        for entry in entries:
            kb.put(replace(entry, alternates=(*entry.alternates, f"第{round_}种问法{entry.id}")))
    for entry in entries:
        kb.put(entry)
    assert results(kb) == results(KnowledgeBase(entries))


def test_a_duplicate_id_is_refused(kb: KnowledgeBase) -> None:
    own = KnowledgeBase(kb.entries)
    with pytest.raises(ValueError, match="duplicate"):
        own.add(own.entries[0])
