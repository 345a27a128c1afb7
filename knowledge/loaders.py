"""Read FAQ entries from .yaml, .jsonl or .csv files."""

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from knowledge.entries import FaqItem


def load_entries(path: str | Path) -> list[FaqItem]:
    """Entries from a file; the format follows the suffix. Raises ValueError on a bad entry."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".jsonl", ".csv"):
        raise ValueError(f"unsupported FAQ file type: {suffix or path.name}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if suffix in (".yaml", ".yml"):
            rows: Iterable[Any] = yaml.safe_load(handle) or []
        elif suffix == ".jsonl":
            rows = [json.loads(line) for line in handle if line.strip()]
        else:
            rows = [_csv_row(row) for row in csv.DictReader(handle)]
        return [entry_from_mapping(row, position) for position, row in enumerate(rows, 1)]


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    alternates = row.get("alternates") or ""
    return {**row, "alternates": [a for a in alternates.split("|") if a.strip()]}


def entry_from_mapping(row: Any, position: int) -> FaqItem:
    """One entry from a mapping with id, question, answer and optional alternates, category."""
    if not isinstance(row, dict):
        raise ValueError(f"entry {position}: expected a mapping")
    missing = [key for key in ("id", "question", "answer") if not str(row.get(key) or "").strip()]
    if missing:
        raise ValueError(f"entry {position}: missing {', '.join(missing)}")
    alternates = row.get("alternates") or []
    if not isinstance(alternates, list):
        raise ValueError(f"entry {position}: alternates must be a list")
    return FaqItem(
        id=str(row["id"]).strip(),
        question=str(row["question"]).strip(),
        answer=str(row["answer"]).strip(),
        alternates=tuple(str(a).strip() for a in alternates if str(a).strip()),
        category=str(row.get("category") or "").strip(),
    )
