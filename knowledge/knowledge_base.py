"""The FAQ knowledge base: entries indexed for matching customers' questions."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.entries import FaqItem, FaqMatch
from knowledge.loaders import load_entries
from knowledge.matcher import GramWeights, grams, matching_form, phrase_score


@dataclass(frozen=True)
class _Phrase:
    entry_index: int
    text: str
    grams: Counter[str]


class KnowledgeBase:
    """FAQ entries with their phrasings prepared once, searched by `search`."""

    def __init__(self, entries: Iterable[FaqItem]) -> None:
        self._entries: list[FaqItem] = []
        self._by_id: dict[str, int] = {}
        self._phrases: list[_Phrase] = []
        self._weights = GramWeights()
        for entry in entries:
            self._add(entry)
        self._phrase_weights = [self._weights.total(p.grams) for p in self._phrases]

    @classmethod
    def from_file(cls, path: str | Path) -> "KnowledgeBase":
        return cls(load_entries(path))

    @property
    def entries(self) -> list[FaqItem]:
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: str) -> FaqItem | None:
        index = self._by_id.get(entry_id)
        return None if index is None else self._entries[index]

    def search(self, text: str, limit: int = 5) -> list[FaqMatch]:
        """Best matching entries first, each scored 0..100 by its best phrasing."""
        query = matching_form(text)
        if not query:
            return []
        query_grams = grams(query)
        query_weight = self._weights.total(query_grams)
        best: dict[int, float] = {}
        for phrase, phrase_weight in zip(self._phrases, self._phrase_weights, strict=True):
            score = phrase_score(
                query,
                query_grams,
                query_weight,
                phrase.text,
                phrase.grams,
                phrase_weight,
                self._weights,
            )
            if score > best.get(phrase.entry_index, -1.0):
                best[phrase.entry_index] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [FaqMatch(self._entries[i], round(score, 1)) for i, score in ranked if score > 0]

    def _add(self, entry: FaqItem) -> None:
        if entry.id in self._by_id:
            raise ValueError(f"duplicate FAQ id {entry.id!r}")
        index = len(self._entries)
        self._by_id[entry.id] = index
        self._entries.append(entry)
        for phrasing in entry.phrasings:
            text = matching_form(phrasing)
            if text:
                phrase = _Phrase(index, text, grams(text))
                self._phrases.append(phrase)
                self._weights.add(phrase.grams)
