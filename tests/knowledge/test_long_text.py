"""A pasted essay costs the matchers no more than its start does: long random Chinese."""

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import KnowledgeBase
from knowledge.loaders import DEFAULT_FAQ
from knowledge.normalize import MATCHED_CHARS
from knowledge.product_catalogue import ProductCatalogue
from tests.support.catalogue import ITEMS
from tests.support.text import random_chinese

LONGEST_MESSAGE = 4000  # Settings.max_message_chars
# Words of the shop's questions and products, so that the text matches something.
SHOP_WORDS = "请问退货运费谁出多久发货快递到哪了可以开发票吗退款面膜精华小白瓶多少钱有货吗"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_file(DEFAULT_FAQ)


@pytest.fixture(scope="module")
def catalogue() -> ProductCatalogue:
    return ProductCatalogue(ITEMS)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """The longest message a channel takes: the shop's words and random Chinese mixed."""
    share = draw(st.floats(0.0, 1.0))  # of the shop's words
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))  # a draw per character is too many
    return "".join(
        rng.choice(SHOP_WORDS) if rng.random() < share else random_chinese(rng, 1)
        for _ in range(LONGEST_MESSAGE)
    )


@settings(max_examples=30, deadline=None)
@given(text=long_texts())
def test_a_long_text_is_matched_on_its_start_in_bounded_time(
    kb: KnowledgeBase, catalogue: ProductCatalogue, text: str
) -> None:
    start = text[:MATCHED_CHARS]
    started = time.process_time()
    assert kb.search(text) == kb.search(start)
    assert catalogue.find(text) == catalogue.find(start)
    assert catalogue.suited(text) == catalogue.suited(start)
    # A few milliseconds; seconds allow for a busy machine and characters seen the first time.
    assert time.process_time() - started < 5
