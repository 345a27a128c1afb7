"""Groups of words customers use for the same thing (knowledge/data/synonyms.yaml)."""

import re
from collections.abc import Iterable
from pathlib import Path

from knowledge.normalize import clean, fold_numbers
from knowledge.yaml_files import read_yaml

DEFAULT_SYNONYMS = Path(__file__).parent / "data" / "synonyms.yaml"


class Synonyms:
    """Finds the word groups a text mentions, longest words first."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._group_of: dict[str, str] = {}
        for group in groups:
            # As questions are read: 换一个 is 换1个 there.
            words = [form for w in group if (form := fold_numbers(clean(w)))]
            for word in words:
                # A word in two groups belongs to the first, so lookups stay unambiguous.
                self._group_of.setdefault(word, words[0])
        words_by_length = sorted(self._group_of, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, words_by_length))) if words_by_length else None
        )

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_SYNONYMS) -> "Synonyms":
        with Path(path).open(encoding="utf-8") as handle:
            data = read_yaml(handle) or []
        if not isinstance(data, list) or not all(
            isinstance(g, list) and all(isinstance(w, str) for w in g) for g in data
        ):
            raise ValueError(f"{path}: expected a list of word lists")
        return cls(data)

    def fold(self, text: str) -> str:
        """The text with every word of a group replaced by the group's name (邮费 → 运费)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._group_of[m.group()], text)

    def groups_in(self, text: str) -> list[str]:
        """The name of each group a word of the text belongs to, in order of appearance."""
        if self._pattern is None:
            return []
        return [self._group_of[m.group()] for m in self._pattern.finditer(text)]
