"""Example canned replies (knowledge/data/canned_replies.yaml) that the demo shop starts with,
so a new shop sees what they are for."""

from dataclasses import dataclass
from pathlib import Path

from knowledge.yaml_files import read_yaml

DEFAULT_CANNED_EXAMPLES = Path(__file__).parent / "data" / "canned_replies.yaml"


@dataclass(frozen=True)
class CannedExample:
    title: str
    text: str


def load_canned_examples(path: str | Path = DEFAULT_CANNED_EXAMPLES) -> list[CannedExample]:
    """The examples in the file; ValueError when one lacks its title or text."""
    with Path(path).open(encoding="utf-8") as handle:
        data = read_yaml(handle) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of replies with a title and a text")
    examples = []
    for number, row in enumerate(data, 1):
        fields = row if isinstance(row, dict) else {}
        title, text = fields.get("title"), fields.get("text")
        if not all(isinstance(value, str) and value.strip() for value in (title, text)):
            raise ValueError(f"{path}: reply {number} needs a title and a text")
        examples.append(CannedExample(str(title).strip(), str(text).strip()))
    return examples
