"""Products as a shop's catalogue lists them: parsing and validation of one JSON line or one
CSV row."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from storage.order_records import json_object, money_field, text_field

# The sizes of the `products` columns, so a bad line is told here rather than refused later.
MAX_SKU = 64
MAX_NAME = 200
MAX_CATEGORY = 64
MAX_ALIAS = MAX_NAME  # another name for the product
MAX_TAG = MAX_CATEGORY
MAX_STOCK = 2**31 - 1  # what an Integer column holds on PostgreSQL

# The columns a catalogue may give; a CSV header names some of them, sku, name and price always.
FIELDS = (
    "sku",
    "name",
    "aliases",
    "category",
    "price",
    "stock",
    "non_returnable",
    "description",
    "tags",
    "restock_date",
)
REQUIRED_FIELDS = ("sku", "name", "price")
LIST_SEPARATOR = "|"  # between the aliases or the tags in one CSV cell
TRUE_WORDS = frozenset({"true", "1", "是", "yes", "y"})
FALSE_WORDS = frozenset({"false", "0", "否", "no", "n"})
# int() would also take "4_2" and full-width or Arabic-Indic digits: a cell is plain digits.
INTEGER_CELL = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class ProductRecord:
    """One product of the catalogue; a field not given has its default, and a re-import sets
    every field, so the file is the truth about the product."""

    sku: str
    name: str
    price: Decimal
    category: str = ""
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    description: str = ""
    stock: int | None = None  # None: the shop does not count it
    non_returnable: bool = False
    restock_date: date | None = None


def parse_product_line(text: str) -> ProductRecord:
    """Parse one JSON line of a catalogue; raises ValueError saying what is wrong."""
    return _record(json_object(text))


def product_from_row(row: dict[str, str]) -> ProductRecord:
    """Parse one CSV row (column name → cell); an empty cell is a field not given, lists are
    separated by `|`. Raises ValueError saying what is wrong."""
    data: dict[str, Any] = {}
    for key, cell in row.items():
        value = (cell or "").strip()
        if not value:
            continue
        if key in ("aliases", "tags"):
            data[key] = value.split(LIST_SEPARATOR)
        elif key == "stock":
            data[key] = _integer_cell(value, key)
        elif key == "non_returnable":
            data[key] = _boolean_cell(value, key)
        else:
            data[key] = value
    return _record(data)


def _record(data: dict[str, Any]) -> ProductRecord:
    if data.get("price") is None:
        raise ValueError("missing price")
    return ProductRecord(
        sku=_sized(text_field(data, "sku"), "sku", MAX_SKU),
        name=_sized(text_field(data, "name"), "name", MAX_NAME),
        price=money_field(data, "price"),
        category=_sized(text_field(data, "category", required=False), "category", MAX_CATEGORY),
        aliases=_words(data, "aliases", MAX_ALIAS),
        tags=_words(data, "tags", MAX_TAG),
        description=text_field(data, "description", required=False),
        stock=_stock(data.get("stock")),
        non_returnable=_boolean(data.get("non_returnable")),
        restock_date=_date(data.get("restock_date"), "restock_date"),
    )


def _sized(value: str, key: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"{key} is too long: {len(value)} characters, at most {limit}")
    return value


def _words(data: dict[str, Any], key: str, limit: int) -> tuple[str, ...]:
    """A list of short texts, stripped, without empty ones or repeats."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ValueError(f"{key} must be a list of strings")
    words = dict.fromkeys(word.strip() for word in value if word.strip())
    for word in words:
        if len(word) > limit:
            raise ValueError(f"{key}: {word[:20]!r}… is too long, at most {limit} characters")
    return tuple(words)


def _stock(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STOCK:
        raise ValueError(f"bad stock {value!r}: a whole number, 0 or more")
    return value


def _boolean(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"non_returnable must be true or false, not {value!r}")
    return value


def _date(value: Any, key: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"bad date in {key}: {value!r}, expected YYYY-MM-DD") from None


def _integer_cell(value: str, key: str) -> int:
    if not INTEGER_CELL.fullmatch(value):
        raise ValueError(f"bad {key} {value!r}: a whole number, 0 or more")
    return int(value)


def _boolean_cell(value: str, key: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"bad {key} {value!r}: use true/false, 1/0 or 是/否")
