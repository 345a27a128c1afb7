"""Imported files: their UTF-8 text, and CSV read row by row, each row named by the line it
starts on.

A quoted cell may hold line breaks, so one quote left open would otherwise take every line up
to the next quote into one cell. A row that runs over several lines is kept only when it fits
the header and none of the lines it took looks like a row of its own; otherwise the quote is
reported on its line and reading goes on from the next line, so no line is swallowed.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on, from 1
    cells: dict[str, str]  # column name (as in the header, lower case) → cell


@dataclass
class CsvFile:
    """The rows of a CSV file and the lines that could not be read, (line, problem)."""

    header: list[str]
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


class _Lines(Iterator[str]):
    """The file's lines, read one at a time; the position can be set back to read again."""

    def __init__(self, text: str) -> None:
        # newline="": a line ends at \n, \r\n or \r, as the csv module counts them.
        self.lines = io.StringIO(text, newline="").readlines()
        self.position = 0

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def decode_utf8_file(data: bytes) -> str:
    """An imported file's text (a byte order mark allowed); else ValueError naming the line."""
    # Without the byte order mark, so the error's position is counted in the same bytes.
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(
            f"not UTF-8 (invalid byte on line {line}): save the file as UTF-8 and import again"
        ) from None


def read_csv(text: str) -> CsvFile:
    """The header (names stripped, lower case) and the rows of a CSV text; blank rows are
    left out. Raises ValueError when the header itself cannot be read."""
    lines = _Lines(text)
    try:
        header = [name.strip().lower() for name in next(_reader(lines), [])]
    except csv.Error as error:
        raise ValueError(f"unreadable CSV header: {error}") from None
    found = CsvFile(header)
    while lines.position < len(lines.lines):
        start = lines.position
        problem = _read_row(lines, found)
        if problem:
            found.problems.append((start + 1, problem))
            # Read again from the next line: what the row took is read as rows of its own.
            lines.position = start + 1
    return found


def _reader(lines: _Lines) -> Iterator[list[str]]:
    return csv.reader(lines, strict=True)


def _read_row(lines: _Lines, found: CsvFile) -> str:
    """Read the row at the position into `found`; what is wrong with it, "" when nothing."""
    start = lines.position
    try:
        cells = next(_reader(lines))
    except csv.Error as error:
        if "end of data" in str(error):
            return "a quote opened on this line is never closed"
        return str(error)
    taken = lines.lines[start + 1 : lines.position]
    width = len(found.header)
    if taken and (len(cells) != width or any(_looks_like_a_row(line, width) for line in taken)):
        return (
            f"a quote opened on this line runs to line {lines.position}: "
            "close it, or double a quote meant inside a cell"
        )
    if not any(cell.strip() for cell in cells):
        return ""
    if len(cells) != width:
        return f"{len(cells)} cells, but the header has {width} columns"
    found.rows.append(CsvRow(start + 1, dict(zip(found.header, cells, strict=True))))
    return ""


def _looks_like_a_row(line: str, width: int) -> bool:
    """Whether a line, read on its own, has as many cells as the header."""
    try:
        return any(len(cells) == width for cells in csv.reader([line]))
    except csv.Error:
        return False
