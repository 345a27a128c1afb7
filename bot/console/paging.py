"""Long lists shown a page at a time."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 1), and how many pages and items the
    whole list has."""

    items: Sequence[T]
    number: int
    pages: int
    total: int


def page_of(items: Sequence[T], requested: str, size: int) -> Page[T]:
    """The requested page (a number typed into the address); a missing or bad number is the
    first page, one past the end the last."""
    pages = max(1, -(-len(items) // size))
    try:
        number = min(max(int(requested), 1), pages)
    except ValueError:
        number = 1
    start = (number - 1) * size
    return Page(items[start : start + size], number, pages, len(items))
