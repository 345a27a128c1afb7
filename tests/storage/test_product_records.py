"""Parsing one product of a catalogue (a JSON line or a CSV row), and the demo catalogue."""

import json
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.services import Services
from storage.demo import demo_catalogue, demo_orders
from storage.product_records import ProductRecord, parse_product_line, product_from_row
from storage.repositories import Repositories
from tests.support.catalogue import example_product
from tests.support.clock import START


def example(**changes: Any) -> dict[str, Any]:
    """The issue's example product, with some fields changed."""
    return example_product(**{"restock_date": "2026-12-10", **changes})


def parse(data: Any) -> ProductRecord:
    return parse_product_line(json.dumps(data, ensure_ascii=False))


def rejection(data: Any) -> str:
    """The message of the ValueError a line (or the JSON of an object) is rejected with."""
    line = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    with pytest.raises(ValueError) as error:
        parse_product_line(line)
    return str(error.value)


def row(**cells: str) -> dict[str, str]:
    """A CSV row with every column, the example's values unless given."""
    values = {
        "sku": "SERUM-30",
        "name": "烟酰胺精华液30ml",
        "aliases": "小白瓶|烟酰胺精华",
        "category": "精华",
        "price": "168.00",
        "stock": "42",
        "non_returnable": "否",
        "description": "5%烟酰胺，提亮肤色。",
        "tags": "提亮|油皮",
        "restock_date": "2026-12-10",
    }
    values.update(cells)
    return values


def row_rejection(**cells: str) -> str:
    with pytest.raises(ValueError) as error:
        product_from_row(row(**cells))
    return str(error.value)


EXAMPLE = ProductRecord(
    sku="SERUM-30",
    name="烟酰胺精华液30ml",
    price=Decimal("168.00"),
    category="精华",
    aliases=("小白瓶", "烟酰胺精华"),
    tags=("提亮", "油皮"),
    description="5%烟酰胺，提亮肤色。",
    stock=42,
    non_returnable=False,
    restock_date=date(2026, 12, 10),
)


# --- JSON lines --------------------------------------------------------------------------------


def test_a_good_line_with_every_field_is_parsed() -> None:
    assert parse(example()) == EXAMPLE


def test_only_sku_name_and_price_are_needed() -> None:
    record = parse({"sku": "MASK-01", "name": "玻尿酸补水面膜", "price": "59.00"})

    assert record == ProductRecord(sku="MASK-01", name="玻尿酸补水面膜", price=Decimal("59.00"))
    assert record.stock is None  # not counted, rather than sold out
    assert (record.aliases, record.tags, record.category) == ((), (), "")
    assert (record.non_returnable, record.restock_date) == (False, None)


def test_null_optional_fields_count_as_not_given() -> None:
    record = parse(
        example(aliases=None, category=None, stock=None, description=None, restock_date=None)
    )

    assert (record.aliases, record.category, record.stock) == ((), "", None)
    assert (record.description, record.restock_date) == ("", None)


def test_texts_are_trimmed_and_lists_lose_blanks_and_repeats() -> None:
    record = parse(
        example(sku="  SERUM-30 ", name=" 烟酰胺精华液30ml ", aliases=[" 小白瓶", "", "小白瓶 "])
    )

    assert (record.sku, record.name, record.aliases) == (
        "SERUM-30",
        "烟酰胺精华液30ml",
        ("小白瓶",),
    )


@pytest.mark.parametrize(("price", "expected"), [(168, "168.00"), (0, "0.00"), ("9.9", "9.90")])
def test_a_price_may_be_a_number_or_text_and_gets_two_decimals(price: Any, expected: str) -> None:
    assert parse(example(price=price)).price == Decimal(expected)


def test_an_out_of_stock_product_is_counted_as_zero() -> None:
    assert parse(example(stock=0)).stock == 0


@pytest.mark.parametrize("field", ["sku", "name", "price"])
def test_a_line_without_a_required_field_is_rejected_naming_it(field: str) -> None:
    data = example()
    del data[field]

    assert f"missing {field}" in rejection(data)


@pytest.mark.parametrize("field", ["sku", "name"])
def test_a_blank_sku_or_name_is_missing(field: str) -> None:
    assert f"missing {field}" in rejection(example(**{field: "   "}))


@pytest.mark.parametrize("price", ["-1", "abc", "¥168", True, "NaN", "Infinity", "1e12", [168]])
def test_a_bad_price_is_rejected(price: Any) -> None:
    assert "price" in rejection(example(price=price))


@pytest.mark.parametrize("stock", [-1, 1.5, "42", True, 2**31])
def test_a_bad_stock_is_rejected(stock: Any) -> None:
    assert "stock" in rejection(example(stock=stock))


@pytest.mark.parametrize("when", ["2026-13-01", "下周", 20261210, "2026-12-10T10:00:00"])
def test_a_bad_restock_date_is_rejected(when: Any) -> None:
    assert "restock_date" in rejection(example(restock_date=when))


@pytest.mark.parametrize("field", ["aliases", "tags"])
@pytest.mark.parametrize("value", ["小白瓶", ["小白瓶", 1], {"name": "小白瓶"}, [["小白瓶"]]])
def test_aliases_and_tags_must_be_lists_of_strings(field: str, value: Any) -> None:
    assert f"{field} must be a list of strings" in rejection(example(**{field: value}))


def test_non_returnable_must_be_a_boolean() -> None:
    assert "non_returnable" in rejection(example(non_returnable="yes"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": "S" * 65}, "sku"),
        ({"name": "面" * 201}, "name"),
        ({"category": "类" * 65}, "category"),
        ({"aliases": ["别" * 201]}, "aliases"),
        ({"tags": ["标" * 65]}, "tags"),
    ],
)
def test_fields_longer_than_their_column_are_rejected(changes: dict[str, Any], field: str) -> None:
    message = rejection(example(**changes))

    assert field in message
    assert "too long" in message


def test_fields_as_long_as_their_column_are_accepted() -> None:
    record = parse(example(sku="S" * 64, name="面" * 200, category="类" * 64))

    assert (len(record.sku), len(record.name), len(record.category)) == (64, 200, 64)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("not json", "invalid JSON"), ("[1, 2]", "expected a JSON object"), ('"SERUM"', "object")],
)
def test_a_line_that_is_not_a_json_object_is_rejected(line: str, expected: str) -> None:
    assert expected in rejection(line)


# --- CSV rows ----------------------------------------------------------------------------------


def test_a_csv_row_gives_the_same_product_as_the_json_line() -> None:
    assert product_from_row(row()) == EXAMPLE


def test_empty_cells_are_fields_not_given() -> None:
    record = product_from_row(
        row(aliases="", category="", stock=" ", non_returnable="", description="", tags="")
    )

    assert record == ProductRecord(
        sku="SERUM-30",
        name="烟酰胺精华液30ml",
        price=Decimal("168.00"),
        restock_date=date(2026, 12, 10),
    )


def test_a_row_needs_only_the_required_columns() -> None:
    record = product_from_row({"sku": "MASK-01", "name": "玻尿酸补水面膜", "price": "59"})

    assert record == ProductRecord(sku="MASK-01", name="玻尿酸补水面膜", price=Decimal("59.00"))


def test_list_cells_are_split_at_the_bar_and_trimmed() -> None:
    record = product_from_row(row(aliases=" 小白瓶 | 烟酰胺精华 ||", tags="敏感肌|修护"))

    assert (record.aliases, record.tags) == (("小白瓶", "烟酰胺精华"), ("敏感肌", "修护"))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("是", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("否", False),
    ],
)
def test_boolean_cells_take_english_digits_and_chinese(cell: str, expected: bool) -> None:
    assert product_from_row(row(non_returnable=cell)).non_returnable is expected


def test_a_bad_boolean_cell_is_rejected() -> None:
    assert "non_returnable" in row_rejection(non_returnable="也许")


@pytest.mark.parametrize("stock", ["-2", "1.5", "四十", "42件", "4_2", "４２"])
def test_a_stock_cell_that_is_not_a_whole_number_of_zero_or_more_is_rejected(stock: str) -> None:
    assert "stock" in row_rejection(stock=stock)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"sku": ""}, "missing sku"),
        ({"name": ""}, "missing name"),
        ({"price": ""}, "missing price"),
        ({"price": "一百"}, "price"),
        ({"restock_date": "12/10/2026"}, "restock_date"),
        ({"category": "类" * 65}, "too long"),
    ],
)
def test_bad_csv_cells_are_rejected(cells: dict[str, str], expected: str) -> None:
    assert expected in row_rejection(**cells)


# --- the demo catalogue ------------------------------------------------------------------------


def as_json_line(record: ProductRecord) -> str:
    data = asdict(record)
    data.update(
        price=str(record.price),
        aliases=list(record.aliases),
        tags=list(record.tags),
        restock_date=record.restock_date and record.restock_date.isoformat(),
    )
    return json.dumps(data, ensure_ascii=False)


def test_the_demo_catalogue_would_pass_an_import() -> None:
    catalogue = demo_catalogue(START)

    assert len(catalogue) >= 15
    assert len({product.sku for product in catalogue}) == len(catalogue)
    for product in catalogue:
        assert parse_product_line(as_json_line(product)) == product


def test_the_demo_catalogue_sells_what_the_demo_orders_bought_at_the_same_price() -> None:
    catalogue = {product.sku: product for product in demo_catalogue(START)}

    for order in demo_orders(START):
        for item in order.items:
            assert (catalogue[item.sku].name, catalogue[item.sku].price) == (item.name, item.price)
    assert catalogue["LIP-01"].non_returnable
    assert catalogue["SERUM-30"].aliases[0] == "小白瓶"


def test_the_demo_catalogue_has_what_a_shopping_chat_needs() -> None:
    catalogue = demo_catalogue(START)

    def in_category(category: str) -> int:
        return sum(product.category == category for product in catalogue)

    assert in_category("面膜") >= 3  # "面膜多少钱" has to ask which one
    assert in_category("精华") >= 2
    assert sum("敏感肌" in product.tags for product in catalogue) >= 3
    sold_out = [product for product in catalogue if product.stock == 0]
    assert sorted(product.restock_date is None for product in sold_out) == [False, True]
    assert [p.sku for p in catalogue if p.stock is not None and 1 <= p.stock <= 5] != []


async def test_the_demo_shop_starts_with_its_catalogue_on_sale(services: Services) -> None:
    async with services.sessions() as session:
        on_sale = await Repositories.for_session(session).products.catalogue()

    by_sku = {product.sku: product for product in on_sale}
    assert set(by_sku) == {product.sku for product in demo_catalogue(START)}
    assert by_sku["SERUM-30"].price == Decimal("168.00")
    assert by_sku["SERUM-30"].aliases == ["小白瓶", "烟酰胺精华"]
    sold_out_until = [p.restock_date for p in on_sale if p.restock_date is not None]
    assert sold_out_until == [(START + timedelta(days=5)).date()]
