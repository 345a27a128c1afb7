"""Finding the products a customer's message names, and the products that suit a need."""

import random

import pytest

from knowledge.product_catalogue import ProductCatalogue, ProductItem
from knowledge.synonyms import Synonyms
from tests.support.catalogue import ITEMS

MASKS = ["MASK-01", "MASK-02", "MASK-03"]


@pytest.fixture(scope="module")
def synonyms() -> Synonyms:
    # The shop's own words for a need, as a shop's synonyms file would have them.
    return Synonyms([["敏感肌", "皮肤敏感", "敏感皮"], ["干皮", "干性皮肤"]])


@pytest.fixture(scope="module")
def catalogue(synonyms: Synonyms) -> ProductCatalogue:
    return ProductCatalogue(ITEMS, synonyms)


def skus(items: list[ProductItem]) -> list[str]:
    return [item.sku for item in items]


# The catalogue itself


def test_products_by_sku_and_in_catalogue_order(catalogue: ProductCatalogue) -> None:
    assert len(catalogue) == len(ITEMS)
    assert catalogue.items == list(ITEMS)
    assert catalogue.get("SERUM-30") == ITEMS[3]
    assert catalogue.get("NOPE") is None


def test_a_sku_twice_is_refused(synonyms: Synonyms) -> None:
    with pytest.raises(ValueError, match="MASK-01"):
        ProductCatalogue([ITEMS[0], ITEMS[0]], synonyms)


def test_an_empty_catalogue_names_nothing(synonyms: Synonyms) -> None:
    empty = ProductCatalogue([], synonyms)
    assert len(empty) == 0
    assert empty.find("面膜多少钱") == [] and empty.named("小白瓶") == []
    assert empty.suited("敏感肌用哪个好") == []


# Naming a product


def test_a_name_inside_a_longer_question_names_that_product(catalogue: ProductCatalogue) -> None:
    assert skus(catalogue.named("烟酰胺精华液多少钱")) == ["SERUM-30"]
    assert skus(catalogue.named("烟酰胺精华液30ml多少钱？")) == ["SERUM-30"]
    best = catalogue.find("烟酰胺精华液多少钱")[0]
    assert best.item.sku == "SERUM-30" and best.score == 100


@pytest.mark.parametrize(
    ("text", "sku"),
    [("小白瓶还有货吗", "SERUM-30"), ("泥膜还有吗", "MASK-03"), ("洗面奶多少钱", "WASH-100")],
)
def test_another_name_names_the_product(catalogue: ProductCatalogue, text: str, sku: str) -> None:
    assert skus(catalogue.named(text)) == [sku]


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("玻尿酸面膜多少钱", "MASK-01"),  # 玻尿酸 and 面膜: only this mask has both
        ("积雪草面膜有货吗", "MASK-02"),
        ("视黄醇那个", "SERUM-RA"),
        ("防晒乳有现货吗", "SUN-50"),
    ],
)
def test_a_part_of_the_name_that_singles_a_product_out(
    catalogue: ProductCatalogue, text: str, sku: str
) -> None:
    assert skus(catalogue.named(text)) == [sku]


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("玻尿酸面模", "MASK-01"),  # 模 sounds like 膜
        ("烟酰氨精华", "SERUM-30"),  # 氨 sounds like 胺
        ("晓白瓶有货吗", "SERUM-30"),
        ("烟酰精华液多少钱", "SERUM-30"),  # a character missing
    ],
)
def test_typos_still_name_the_product(catalogue: ProductCatalogue, text: str, sku: str) -> None:
    assert skus(catalogue.named(text)) == [sku]


@pytest.mark.parametrize(
    ("text", "sku"),
    [("煙醯胺精華液", "SERUM-30"), ("補水面膜多少錢", "MASK-01"), ("小白瓶還有貨嗎", "SERUM-30")],
)
def test_traditional_characters_name_the_product(
    catalogue: ProductCatalogue, text: str, sku: str
) -> None:
    assert skus(catalogue.named(text)) == [sku]


def test_the_category_names_every_product_in_it_equally(catalogue: ProductCatalogue) -> None:
    found = catalogue.find("面膜")
    assert [match.item.sku for match in found] == MASKS
    assert len({match.score for match in found}) == 1


@pytest.mark.parametrize("text", ["这个面膜多少钱", "面膜有货吗", "推荐一款面膜"])
def test_a_kind_of_product_could_be_any_of_them(catalogue: ProductCatalogue, text: str) -> None:
    # Ties go in catalogue order, so the bot lists them as the shop does.
    assert skus(catalogue.named(text)) == MASKS


def test_two_serums_for_a_serum_question(catalogue: ProductCatalogue) -> None:
    assert skus(catalogue.named("精华多少钱")) == ["SERUM-30", "SERUM-RA"]


def test_named_returns_at_most_limit_close_ones(catalogue: ProductCatalogue) -> None:
    assert skus(catalogue.named("面膜多少钱", limit=2)) == MASKS[:2]
    assert len(catalogue.find("面膜多少钱", limit=1)) == 1
    assert catalogue.find("面膜多少钱", limit=0) == []


def test_two_products_in_one_question_are_both_named(catalogue: ProductCatalogue) -> None:
    assert set(skus(catalogue.named("小白瓶和补水面膜哪个好"))) == {"SERUM-30", "MASK-01"}


def test_without_categories_a_generic_word_still_names_its_products(synonyms: Synonyms) -> None:
    bare = ProductCatalogue([ProductItem(i.sku, i.name, i.aliases) for i in ITEMS], synonyms)
    assert skus(bare.named("精华多少钱")) == ["SERUM-30", "SERUM-RA"]
    assert skus(bare.named("玻尿酸面膜多少钱")) == ["MASK-01"]


NO_PRODUCT = (
    *("运费多少钱", "快递到哪了", "你好", "怎么退货", "", "   ", "亲，在吗？"),
    *("多少钱", "有货吗", "还有吗", "价格", "哪个好", "上次买的那个再来两盒", "敏感肌用哪个好"),
)


@pytest.mark.parametrize("text", NO_PRODUCT)
def test_no_product_named(catalogue: ProductCatalogue, text: str) -> None:
    assert catalogue.named(text) == []
    assert catalogue.find(text) == []


def test_a_long_garbage_message_names_nothing(catalogue: ProductCatalogue) -> None:
    rng = random.Random(3)
    garbage = "".join(
        rng.choice((chr(rng.randint(0x4E00, 0x9FA5)), rng.choice("abcxyz0123!?，。 ")))
        for _ in range(10_000)
    )
    assert catalogue.named(garbage) == []
    assert catalogue.find(garbage) == []


def test_a_name_only_heard_is_not_enough(catalogue: ProductCatalogue) -> None:
    # 棉模 sounds like 面膜 but shares no character with any product: chance, not a mask.
    assert catalogue.named("棉模多少钱") == []


def test_question_words_neither_help_nor_hurt(catalogue: ProductCatalogue) -> None:
    bare = catalogue.find("小白瓶")
    asked = catalogue.find("请问小白瓶现在多少钱，还有货吗？价格多少")
    assert [(m.item.sku, m.score) for m in bare] == [(m.item.sku, m.score) for m in asked]


def test_scores_run_from_best_to_worst_within_0_and_100(catalogue: ProductCatalogue) -> None:
    for text in ("烟酰胺精华液多少钱", "玻尿酸面模", "小白瓶和补水面膜", "精华面膜"):
        scores = [match.score for match in catalogue.find(text, limit=10)]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 100 for score in scores)


def test_a_size_said_picks_that_size(synonyms: Synonyms) -> None:
    sizes = ProductCatalogue(
        [
            ProductItem("S30", "烟酰胺精华液30ml", (), "精华"),
            ProductItem("S50", "烟酰胺精华液50ml", (), "精华"),
        ],
        synonyms,
    )
    assert skus(sizes.named("烟酰胺精华液多少钱")) == ["S30", "S50"]
    assert skus(sizes.named("烟酰胺精华液50ml多少钱")) == ["S50"]


def test_the_name_as_written_beats_one_that_only_sounds_alike(synonyms: Synonyms) -> None:
    alike = ProductCatalogue(
        [ProductItem("J", "精华面膜", (), "面膜"), ProductItem("H", "净化面膜", (), "面膜")],
        synonyms,
    )
    assert skus(alike.named("净化面膜多少钱")) == ["H"]
    assert skus(alike.named("精华面膜多少钱")) == ["J"]


def test_a_one_character_name(synonyms: Synonyms) -> None:
    tiny = ProductCatalogue([ProductItem("X", "霜"), ProductItem("Y", "唇膏")], synonyms)
    assert skus(tiny.named("霜多少钱")) == ["X"]
    assert tiny.named("口红多少钱") == []


# Suiting a need


@pytest.mark.parametrize(
    ("text", "sku"),
    [("小白瓶", "SERUM-30"), ("小白瓶呢", "SERUM-30"), ("烟酰氨精华液", "SERUM-30")],
)
def test_a_message_that_is_only_a_name(catalogue: ProductCatalogue, text: str, sku: str) -> None:
    item = catalogue.only_named(text)
    assert item is not None and item.sku == sku


@pytest.mark.parametrize("text", ["小白瓶怎么用", "小白瓶敷完要洗吗", "面膜", "精华", "你好"])
def test_a_message_that_says_more_than_a_name(catalogue: ProductCatalogue, text: str) -> None:
    assert catalogue.only_named(text) is None


def test_products_tagged_with_the_need_in_catalogue_order(catalogue: ProductCatalogue) -> None:
    sensitive = [item.sku for item in ITEMS if "敏感肌" in item.tags]
    assert skus(catalogue.suited("敏感肌用哪个好", limit=10)) == sensitive
    assert skus(catalogue.suited("敏感肌用哪个好")) == sensitive[:3]


def test_more_matching_tags_come_first(catalogue: ProductCatalogue) -> None:
    # CREAM-50 is for sensitive and dry skin: both needs named.
    found = skus(catalogue.suited("敏感肌干皮用什么好", limit=10))
    assert found[0] == "CREAM-50"
    assert set(found) == {i.sku for i in ITEMS if {"敏感肌", "干皮"} & set(i.tags)}


def test_a_named_category_narrows_the_products(catalogue: ProductCatalogue) -> None:
    assert skus(catalogue.suited("敏感肌用哪个面膜好")) == ["MASK-02"]
    assert skus(catalogue.suited("油皮适合哪个面膜")) == ["MASK-03"]
    assert catalogue.suited("控油的爽肤水有吗") == []  # the toner is not for that


def test_needs_in_traditional_characters_and_other_words(catalogue: ProductCatalogue) -> None:
    assert skus(catalogue.suited("乾皮用哪個好", limit=10)) == ["MASK-01", "SERUM-RA", "CREAM-50"]
    assert catalogue.suited("皮肤敏感用什么") == catalogue.suited("敏感肌用什么")
    assert catalogue.suited("干性皮肤推荐") == catalogue.suited("干皮推荐")


@pytest.mark.parametrize("text", ["面膜多少钱", "你好", "", "小白瓶有货吗"])
def test_no_need_named_suits_nothing(catalogue: ProductCatalogue, text: str) -> None:
    assert catalogue.suited(text) == []


def test_the_default_synonyms_are_the_shops_file() -> None:
    catalogue = ProductCatalogue(ITEMS)
    assert skus(catalogue.named("小白瓶多少钱")) == ["SERUM-30"]
