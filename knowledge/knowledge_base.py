"""The FAQ knowledge base: entries indexed for matching customers' questions."""

from collections.abc import Iterable
from itertools import count
from pathlib import Path

import numpy as np

from knowledge.entries import FaqItem, FaqMatch
from knowledge.index import GramIndex
from knowledge.loaders import load_entries
from knowledge.matcher import (
    CANDIDATES,
    Phrase,
    confidence,
    matching_form,
    overlap_scores,
    phrase_of_form,
    read_phrase,
    rerank_score,
    with_other_phrasings,
)
from knowledge.synonyms import Synonyms


class KnowledgeBase:
    """FAQ entries with their phrasings read once, searched by `search`, edited one by one."""

    def __init__(self, entries: Iterable[FaqItem] = (), synonyms: Synonyms | None = None) -> None:
        self._synonyms = synonyms if synonyms is not None else Synonyms.from_file()
        self._entries: dict[str, FaqItem] = {}
        self._order: dict[str, int] = {}  # ties go to the entry added first
        self._added = count()
        self._phrases: dict[str, list[Phrase]] = {}
        self._entry_grams: dict[str, frozenset[str]] = {}  # of all its phrasings together
        self._slots: dict[str, list[int]] = {}
        self._index: GramIndex[tuple[str, Phrase]] = GramIndex()
        for entry in entries:
            self.add(entry)

    @classmethod
    def from_file(cls, path: str | Path, synonyms: Synonyms | None = None) -> "KnowledgeBase":
        """The entries of a .yaml, .jsonl or .csv file."""
        return cls(load_entries(path), synonyms)

    @property
    def entries(self) -> list[FaqItem]:
        """Every entry, in the order added."""
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: str) -> FaqItem | None:
        """The entry with this id, if there is one."""
        return self._entries.get(entry_id)

    def add(self, entry: FaqItem) -> None:
        """Add a new entry; its id must not be taken."""
        if entry.id in self._entries:
            raise ValueError(f"duplicate FAQ id {entry.id!r}")
        self._entries[entry.id] = entry
        self._order[entry.id] = next(self._added)
        self._store(entry.id, self._read(entry, {}))

    def put(self, entry: FaqItem) -> None:
        """Add the entry, or replace the one with its id; only what changed is read again."""
        old = self._entries.get(entry.id)
        if old is None:
            self.add(entry)
            return
        self._entries[entry.id] = entry
        if old.phrasings == entry.phrasings:
            return
        known = {phrase.text: phrase for phrase in self._phrases[entry.id]}
        phrases = self._read(entry, known)
        self._unindex(entry.id)
        self._store(entry.id, phrases)
        self._compact_if_sparse()

    def remove(self, entry_id: str) -> None:
        """Forget the entry; unknown ids are ignored."""
        if self._entries.pop(entry_id, None) is None:
            return
        self._unindex(entry_id)
        del self._order[entry_id], self._phrases[entry_id]
        del self._entry_grams[entry_id], self._slots[entry_id]
        self._compact_if_sparse()

    def search(self, text: str, limit: int = 5) -> list[FaqMatch]:
        """Best matching entries first, each scored 0..100 by its phrasings, with how sure it
        is that the entry is the answer."""
        query = read_phrase(text, self._synonyms)
        if query is None or not self._index.live or limit <= 0:
            return []
        index = self._index
        weights = {gram: index.weight(gram) for gram in query.grams}
        query_weight = sum(weights.values())
        grams = set(query.grams)
        # A character pair no phrasing has is likely a typo: look it up by how it sounds.
        grams.update(sound for pair, sound in query.pairs() if not index.knows(pair))
        scores = overlap_scores(index.overlap(grams), query_weight, index.slot_weights())
        best: dict[str, tuple[float, Phrase]] = {}
        for slot in self._candidates(scores):
            entry_id, phrase = index.item(slot)
            score = rerank_score(query, phrase, float(scores[slot]))
            if entry_id not in best or score > best[entry_id][0]:
                best[entry_id] = (score, phrase)

        def covered(grams: frozenset[str]) -> float:
            return sum(weights[gram] for gram in query.grams & grams) / query_weight

        entry_scores = {}
        for entry_id, (score, phrase) in best.items():
            entry_grams = self._entry_grams[entry_id]
            if entry_grams is not phrase.grams:  # it has other phrasings
                score = with_other_phrasings(score, covered(phrase.grams), covered(entry_grams))
            entry_scores[entry_id] = score
        ranked = sorted(entry_scores.items(), key=lambda item: (-item[1], self._order[item[0]]))
        matches = []
        for rank, (entry_id, score) in enumerate(ranked[:limit]):
            # The first is measured against the second; every other against the first.
            rival = ranked[1 if rank == 0 else 0][1] if len(ranked) > 1 else 0.0
            sure = confidence(score, rival)
            matches.append(FaqMatch(self._entries[entry_id], round(score, 1), round(sure, 1)))
        return matches

    def _read(self, entry: FaqItem, known: dict[str, Phrase]) -> list[Phrase]:
        """The entry's phrases, one per distinct matching form; `known` ones are not read
        again."""
        phrases: dict[str, Phrase] = {}
        for text in entry.phrasings:
            form = matching_form(text)
            if form and form not in phrases:
                phrase = known.get(form) or phrase_of_form(form, self._synonyms)
                if phrase is not None:
                    phrases[form] = phrase
        return list(phrases.values())

    def _candidates(self, scores: np.ndarray) -> np.ndarray:
        """The best-scoring slots to re-rank, from at least two entries when there are two:
        one entry with many phrasings must not crowd out the runner-up its confidence needs."""
        wanted = CANDIDATES
        while True:
            slots = _top(scores, wanted)
            entries = {self._index.item(slot)[0] for slot in slots}
            if len(entries) >= 2 or len(slots) < wanted:
                return slots
            wanted *= 4

    def _store(self, entry_id: str, phrases: list[Phrase]) -> None:
        self._phrases[entry_id] = phrases
        # One phrasing (most imported FAQs) shares its set rather than copying it.
        grams = [p.grams for p in phrases]
        self._entry_grams[entry_id] = grams[0] if len(grams) == 1 else frozenset().union(*grams)
        self._slots[entry_id] = [self._index_phrase(entry_id, phrase) for phrase in phrases]

    def _index_phrase(self, entry_id: str, phrase: Phrase) -> int:
        sounds = (sound for _, sound in phrase.pairs())
        return self._index.add((entry_id, phrase), entry_id, phrase.grams, sounds)

    def _unindex(self, entry_id: str) -> None:
        for slot in self._slots[entry_id]:
            self._index.remove(slot)

    def _compact_if_sparse(self) -> None:
        """Build the index anew from the phrases already read once half of it is removed
        slots, so searching does not slow down after many edits."""
        if self._index.dead <= max(64, self._index.live):
            return
        self._index = GramIndex()
        for entry_id, phrases in self._phrases.items():
            self._slots[entry_id] = [self._index_phrase(entry_id, p) for p in phrases]


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest positive scores, in no particular order."""
    if len(scores) > count:
        picked = np.argpartition(scores, -count)[-count:]
    else:
        picked = np.arange(len(scores))
    return picked[scores[picked] > 0]
