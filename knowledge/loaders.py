"""Read FAQ entries from .yaml, .jsonl or .csv files: good entries kept, bad ones named by
line."""

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.csv_rows import decode_utf8_file, read_csv
from knowledge.entries import FaqItem
from knowledge.yaml_files import YAML_LOADER

DEFAULT_FAQ = Path(__file__).parent / "data" / "faq.yaml"

# (line, raw entry): the line of the file an entry starts on, so problems point into the file.
Rows = list[tuple[int, Any]]


@dataclass
class LoadedEntries:
    """The good entries of a file with their lines, and the bad ones' (line, problem)."""

    entries: list[tuple[int, FaqItem]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def load_entries(path: str | Path) -> list[FaqItem]:
    """Entries from a file; the format follows the suffix. Raises ValueError on a bad entry."""
    loaded = read_entries(path)
    if loaded.problems:
        line, problem = loaded.problems[0]
        raise ValueError(f"line {line}: {problem}")
    return [entry for _, entry in loaded.entries]


def read_entries(path: str | Path) -> LoadedEntries:
    """The good entries of a file and the bad ones' problems by line; the format follows the
    suffix. Raises ValueError when the file as a whole cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".jsonl", ".csv"):
        raise ValueError(f"unsupported FAQ file type: {suffix or path.name}")
    text = decode_utf8_file(path.read_bytes())
    loaded = LoadedEntries()
    if suffix == ".jsonl":
        rows = _jsonl_rows(text, loaded.problems)
    elif suffix == ".csv":
        rows = _csv_rows(text, loaded.problems)
    else:
        rows = _yaml_rows(text)
    first_seen: dict[str, int] = {}
    for line, row in rows:
        try:
            entry = entry_from_mapping(row)
        except ValueError as error:
            loaded.problems.append((line, str(error)))
            continue
        # Two entries with one id would silently overwrite each other: the first one counts.
        if entry.id in first_seen:
            problem = f"duplicate id {entry.id!r} (also at line {first_seen[entry.id]})"
            loaded.problems.append((line, problem))
            continue
        first_seen[entry.id] = line
        loaded.entries.append((line, entry))
    loaded.problems.sort()
    return loaded


def _yaml_rows(text: str) -> Rows:
    # Read once as nodes, for the line each entry starts on, then built from them: with
    # libyaml when installed (the FAQ is read on every start, and pure Python takes 0.2 s).
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise ValueError(f"invalid YAML at line {line}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"invalid YAML: {' '.join(str(error).split())}") from None
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ValueError("expected a list of entries")
    return [(item.start_mark.line + 1, row) for item, row in zip(node.value, data, strict=True)]


def _jsonl_rows(text: str, problems: list[tuple[int, str]]) -> Rows:
    rows: Rows = []
    # newline="": lines end as the csv module and editors count them, not at U+2028.
    for number, line in enumerate(io.StringIO(text, newline="").readlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append((number, f"invalid JSON: {error.msg}"))
        except (ValueError, RecursionError):  # a number too long to convert, absurd nesting
            problems.append((number, "invalid JSON: too deeply nested or a number too long"))
    return rows


def _csv_rows(text: str, problems: list[tuple[int, str]]) -> Rows:
    found = read_csv(text)
    problems.extend(found.problems)
    rows: Rows = []
    for row in found.rows:
        cells: dict[str, Any] = dict(row.cells)
        cells["alternates"] = [a for a in cells.get("alternates", "").split("|") if a.strip()]
        rows.append((row.line, cells))
    return rows


def entry_from_mapping(row: Any) -> FaqItem:
    """One entry from a mapping with id, question, answer and optional alternates, category."""
    if not isinstance(row, dict):
        raise ValueError("expected a mapping")
    fields = {key: _text(row.get(key), key) for key in ("question", "answer")}
    fields["id"] = _text(row.get("id"), "id", number_ok=True)
    missing = [key for key in ("id", "question", "answer") if not fields[key]]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    alternates = row.get("alternates") or []
    if not isinstance(alternates, list):
        raise ValueError("alternates must be a list")
    texts = [_text(a, f"alternate {n}") for n, a in enumerate(alternates, 1)]
    return FaqItem(
        id=fields["id"],
        question=fields["question"],
        answer=fields["answer"],
        alternates=tuple(text for text in texts if text),
        category=_text(row.get("category"), "category"),
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
