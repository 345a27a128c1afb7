"""Text for a terminal: times in the shop's zone and aligned columns, Chinese included."""

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A time as "2026-11-29 11:00" in the shop's zone; "-" for none."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def table(rows: list[list[str]], right_from: int = 99) -> list[str]:
    """Rows as aligned columns; columns from index `right_from` on are right-aligned."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            _pad(cell, column, right=i >= right_from)
            for i, (cell, column) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(cell: str, column: int, right: bool) -> str:
    room = " " * (column - width(cell))
    return room + cell if right else cell + room
