"""Read FAQ entries from .yaml, .jsonl or .csv files."""

import csv
import json
from pathlib import Path
from typing import Any, TextIO

import yaml

from knowledge.entries import FaqItem

DEFAULT_FAQ = Path(__file__).parent / "data" / "faq.yaml"

# (where, raw entry): "entry 3" in YAML, "line 7" in JSONL and CSV, so errors point into the file.
Rows = list[tuple[str, Any]]


def load_entries(path: str | Path) -> list[FaqItem]:
    """Entries from a file; the format follows the suffix. Raises ValueError on a bad entry."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".jsonl", ".csv"):
        raise ValueError(f"unsupported FAQ file type: {suffix or path.name}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if suffix == ".jsonl":
            rows = _jsonl_rows(handle)
        elif suffix == ".csv":
            rows = _csv_rows(handle)
        else:
            rows = _yaml_rows(handle)
    entries: list[FaqItem] = []
    first_seen: dict[str, str] = {}
    for where, row in rows:
        entry = entry_from_mapping(row, where)
        # Two entries with one id would silently overwrite each other on import.
        if entry.id in first_seen:
            raise ValueError(f"{where}: duplicate id {entry.id!r} (also at {first_seen[entry.id]})")
        first_seen[entry.id] = where
        entries.append(entry)
    return entries


def _yaml_rows(handle: TextIO) -> Rows:
    try:
        data = yaml.safe_load(handle)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise ValueError(f"invalid YAML at line {line}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"invalid YAML: {' '.join(str(error).split())}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError("expected a list of entries")
    return [(f"entry {number}", row) for number, row in enumerate(data, 1)]


def _jsonl_rows(handle: TextIO) -> Rows:
    rows: Rows = []
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            rows.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: invalid JSON: {error.msg}") from None
    return rows


def _csv_rows(handle: TextIO) -> Rows:
    reader = csv.DictReader(handle)
    rows: Rows = []
    try:
        for row in reader:
            alternates = row.get("alternates") or ""
            row["alternates"] = [a for a in alternates.split("|") if a.strip()]
            rows.append((f"line {reader.line_num}", row))
    except csv.Error as error:
        # The DictReader's own line_num is updated only after a row parses.
        raise ValueError(f"line {reader.reader.line_num}: {error}") from None
    return rows


def entry_from_mapping(row: Any, where: str) -> FaqItem:
    """One entry from a mapping with id, question, answer and optional alternates, category."""
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a mapping")
    fields = {key: _text(row.get(key), f"{where}: {key}") for key in ("question", "answer")}
    fields["id"] = _text(row.get("id"), f"{where}: id", number_ok=True)
    missing = [key for key in ("id", "question", "answer") if not fields[key]]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    alternates = row.get("alternates") or []
    if not isinstance(alternates, list):
        raise ValueError(f"{where}: alternates must be a list")
    texts = [_text(a, f"{where}: alternate {n}") for n, a in enumerate(alternates, 1)]
    return FaqItem(
        id=fields["id"],
        question=fields["question"],
        answer=fields["answer"],
        alternates=tuple(text for text in texts if text),
        category=_text(row.get("category"), f"{where}: category"),
    )


def _text(value: Any, what: str, number_ok: bool = False) -> str:
    """A field's stripped text; absent is empty, and a list or mapping is an error."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    # bool is an int subclass, but `id: yes` in YAML is a mistake, not the id "True".
    if number_ok and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what} must be text, not {type(value).__name__}")
