"""Each matching signal on small examples, through the knowledge base a shop uses."""

import pytest

from knowledge import FaqItem, KnowledgeBase
from knowledge.matcher import confidence
from knowledge.synonyms import Synonyms

ENTRIES = (
    FaqItem("refund-time", "退款多久到账", "refund"),
    FaqItem("returns-address", "退货地址在哪里", "address"),
    FaqItem("shipping-fee", "运费怎么算", "fee"),
    FaqItem("invoice", "可以开发票吗", "invoice"),
    FaqItem("delivery-time", "发货后3天能到吗", "delivery"),
    FaqItem("carrier", "发什么快递", "carrier"),
)


@pytest.fixture
def kb() -> KnowledgeBase:
    return KnowledgeBase(ENTRIES)


def first(kb: KnowledgeBase, text: str) -> str:
    return kb.search(text, limit=1)[0].entry.id


def test_homophone_typos_from_pinyin_input_are_forgiven(kb: KnowledgeBase) -> None:
    assert first(kb, "退宽多就到帐") == "refund-time"
    assert first(kb, "发漂能开吗") == "invoice"


def test_everyday_synonyms_count_as_the_same_word(kb: KnowledgeBase) -> None:
    assert first(kb, "邮费怎么收") == "shipping-fee"
    assert first(kb, "退钱要几天") == "refund-time"
    assert first(kb, "一般走什么物流") == "carrier"
    # The synonym groups are what finds them: without them the same words match less.
    bare = KnowledgeBase(ENTRIES, synonyms=Synonyms([]))
    for question in ("邮费怎么收", "退钱要几天", "一般走什么物流"):
        assert kb.search(question, 1)[0].score > bare.search(question, 1)[0].score


def test_numbers_in_words_match_numbers_in_digits(kb: KnowledgeBase) -> None:
    digits = kb.search("发货后3天能到吗", limit=1)[0]
    words = kb.search("发货后三天能到吗", limit=1)[0]
    assert words.entry.id == digits.entry.id == "delivery-time"
    assert words.score == digits.score


def test_filler_script_width_and_punctuation_do_not_matter(kb: KnowledgeBase) -> None:
    plain = kb.search("运费怎么算", limit=1)[0]
    for variant in ("你好，请问运费怎么算呢？？", "運費怎麼算", "运费怎么算！！！！"):
        found = kb.search(variant, limit=1)[0]
        assert (found.entry.id, found.score) == (plain.entry.id, plain.score)


def test_an_entrys_phrasings_are_scored_together() -> None:
    """Words from two of an entry's phrasings count more than either phrasing alone."""
    alone = KnowledgeBase([FaqItem("returns", "退货流程", "a"), *ENTRIES[2:]])
    together = KnowledgeBase([FaqItem("returns", "退货流程", "a", ("寄回哪里",)), *ENTRIES[2:]])
    question = "退货流程是什么 寄回哪里"
    assert together.search(question, 1)[0].score > alone.search(question, 1)[0].score


def test_an_exact_question_is_answered_with_confidence(kb: KnowledgeBase) -> None:
    best = kb.search("退货地址在哪里", limit=3)[0]
    assert best.entry.id == "returns-address" and best.score == 100
    assert best.confidence >= 90


def test_a_question_between_two_entries_is_not_confident() -> None:
    kb = KnowledgeBase([FaqItem("a", "会员积分怎么用", "a"), FaqItem("b", "会员积分怎么查", "b")])
    matches = kb.search("会员积分", limit=2)
    assert matches[0].score == pytest.approx(matches[1].score, abs=5)
    assert matches[0].confidence < 15
    assert matches[1].confidence == 0


def test_confidence_needs_both_closeness_and_a_lead() -> None:
    assert confidence(90, 40) == 90
    assert confidence(90, 85) == 10
    assert confidence(20, 0) == 20  # alone, but far from the question
    assert confidence(0, 0) == 0


def test_nothing_to_match_finds_nothing(kb: KnowledgeBase) -> None:
    assert kb.search("？？？", limit=3) == []
    assert kb.search("", limit=3) == []
    assert KnowledgeBase().search("运费", limit=3) == []
    assert kb.search("运费", limit=0) == []


def test_a_100_kb_message_is_searched_without_pretending_to_know_it(kb: KnowledgeBase) -> None:
    noise = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(100_000))
    matches = kb.search("运费怎么算" + noise, limit=3)
    assert len(matches) <= 3
    assert all(m.score < 10 and m.confidence < 10 for m in matches)


def test_an_entry_with_many_phrasings_still_meets_its_rival() -> None:
    """Re-ranking sees the runner-up even when one entry's phrasings fill every place."""
    many = FaqItem("limit", "会员积分怎么用", "a", tuple(f"会员积分怎么用{n}" for n in range(40)))
    kb = KnowledgeBase([many, FaqItem("query", "会员积分怎么查", "b")])
    best, rival = kb.search("会员积分", limit=2)
    assert rival.entry.id in {"limit", "query"} and best.entry.id != rival.entry.id
    assert best.confidence < 31


def test_entries_without_words_are_never_found() -> None:
    kb = KnowledgeBase([FaqItem("dots", "？？？", "a")])
    assert kb.search("退款", limit=3) == []


def test_phrasings_written_alike_count_once() -> None:
    plain = KnowledgeBase(ENTRIES)
    repeated = KnowledgeBase(
        [
            FaqItem("refund-time", "退款多久到账", "refund", ("退款多久到账？", "退款多久到账吗")),
            *ENTRIES[1:],
        ]
    )
    for question in ("退款要几天", "退货地址", "多久到账"):
        found = [(m.entry.id, m.score, m.confidence) for m in repeated.search(question, 3)]
        assert found == [(m.entry.id, m.score, m.confidence) for m in plain.search(question, 3)]


def test_ties_go_to_the_entry_added_first_even_after_removals() -> None:
    kb = KnowledgeBase(
        [FaqItem("a", "发票", "a"), FaqItem("b", "包邮", "b"), FaqItem("c", "运费", "c")]
    )
    kb.remove("a")
    kb.add(FaqItem("d", "运费", "d"))
    assert [m.entry.id for m in kb.search("运费", limit=2)] == ["c", "d"]
