"""The gram index: rarity weights, overlap, and edits one phrasing at a time."""

import math

import numpy as np
import pytest

from knowledge.index import GramIndex


@pytest.fixture
def index() -> GramIndex[str]:
    index: GramIndex[str] = GramIndex()
    index.add("shipping", "shipping", ["发", "货", "发货", "吗"])
    index.add("invoice", "invoice", ["发", "票", "发票", "吗"])
    index.add("refund", "refund", ["退", "款", "退款", "吗"])
    return index


def test_rare_grams_weigh_more_than_common_ones(index: GramIndex[str]) -> None:
    assert index.weight("发票") > index.weight("发") > index.weight("吗") > 0
    # A gram no phrasing has weighs most: the question asks something the FAQ does not know.
    assert index.weight("顺丰") > index.weight("发票")


def test_overlap_is_the_weight_each_phrasing_shares(index: GramIndex[str]) -> None:
    shared = index.overlap(["发", "票", "发票", "开"])
    expected = index.weight("发") + index.weight("票") + index.weight("发票")
    assert shared[1] == pytest.approx(expected)
    assert shared[0] == pytest.approx(index.weight("发"))
    assert shared[2] == 0
    assert index.slot_weights()[1] == pytest.approx(expected + index.weight("吗"))


def test_lookup_only_grams_find_a_phrasing_without_weighing_in_it() -> None:
    index: GramIndex[str] = GramIndex()
    index.add("refund", "refund", ["退", "款"], lookup_only=["ptui kuan"])
    assert index.overlap(["ptui kuan"])[0] > 0
    assert index.slot_weights()[0] == pytest.approx(index.weight("退") + index.weight("款"))


def test_a_documents_many_phrasings_do_not_make_its_words_common(index: GramIndex[str]) -> None:
    before = index.weight("发票")
    for wording in (["发", "票", "发票", "开"], ["开", "发", "票", "发票", "吗"]):
        index.add("invoice", "invoice", wording)
    assert index.weight("发票") == before
    assert index.weight("开") == index.weight("发票")  # both in one document of three


def test_removed_phrasings_stop_counting_at_once(index: GramIndex[str]) -> None:
    before = index.weight("吗")
    index.remove(1)
    assert index.overlap(["发票"])[1] == 0
    assert not index.knows("发票") and index.knows("发货")
    assert math.isinf(index.slot_weights()[1])
    assert index.weight("吗") != before  # one phrasing fewer: every weight follows
    assert (index.live, index.dead) == (2, 1)


def test_edits_give_the_weights_of_a_fresh_index(index: GramIndex[str]) -> None:
    index.remove(0)
    index.add("shipping", "shipping", ["发", "货", "发货", "吗", "什么时候"])
    fresh: GramIndex[str] = GramIndex()
    fresh.add("invoice", "invoice", ["发", "票", "发票", "吗"])
    fresh.add("refund", "refund", ["退", "款", "退款", "吗"])
    fresh.add("shipping", "shipping", ["发", "货", "发货", "吗", "什么时候"])
    query = ["发", "货", "吗", "什么时候", "票"]
    for gram in query:
        assert index.weight(gram) == pytest.approx(fresh.weight(gram))
    live = [slot for slot in range(4) if slot != 0]
    assert np.allclose(index.overlap(query)[live], fresh.overlap(query)[[0, 1, 2]])
    assert index.item(3) == "shipping"
