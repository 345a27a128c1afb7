"""Scoring a customer's question against FAQ phrasings.

A phrasing is read once into grams: its characters, adjacent character pairs and the synonym
groups its words belong to. Candidates come from the gram index: weighted overlap with the
question (half Dice, three tenths how much of the question they cover). The best candidates
are then re-ranked with rapidfuzz's edit-distance ratio over how the texts sound, which
forgives typos and homophones from pinyin input, and an entry gains from words of the
question that only its other phrasings have. Confidence is the best entry's lead over the
next.
"""

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from knowledge.normalize import normalize
from knowledge.pinyin import sound
from knowledge.synonyms import Synonyms

DICE_SHARE = 0.5
COVERAGE_SHARE = 0.3
SOUND_SHARE = 0.2
# Share of the extra question coverage an entry's other phrasings give that counts.
PHRASINGS_SHARE = 0.5
# How many phrasings are re-ranked: enough for several phrasings of a few entries.
CANDIDATES = 30


@dataclass(frozen=True)
class Phrase:
    """A question or FAQ phrasing as the matcher sees it."""

    text: str  # in `matching_form`
    sound: tuple[str, ...]
    grams: frozenset[str]  # characters, character pairs, synonym groups

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Each character pair's gram with the gram of how it sounds: a pair no phrasing has
        is looked up by sound, so 退宽 finds 退款."""
        for i in range(len(self.text) - 1):
            yield "b" + self.text[i : i + 2], f"p{self.sound[i]} {self.sound[i + 1]}"


def matching_form(text: str) -> str:
    """The form every phrasing and question is compared in."""
    return normalize(text)


def read_phrase(text: str, synonyms: Synonyms) -> Phrase | None:
    """The phrase for a text; None when nothing of it is left to match."""
    return phrase_of_form(matching_form(text), synonyms)


def phrase_of_form(form: str, synonyms: Synonyms) -> Phrase | None:
    """The phrase for a text already in `matching_form`."""
    if not form:
        return None
    grams = ["c" + char for char in form]
    grams.extend("b" + form[i : i + 2] for i in range(len(form) - 1))
    grams.extend("s" + group for group in synonyms.groups_in(form))
    # Interned: thousands of phrasings share one copy of each gram.
    return Phrase(form, sound(form), frozenset(map(sys.intern, grams)))


def overlap_scores(shared: np.ndarray, query_weight: float, weights: np.ndarray) -> np.ndarray:
    """The first-stage score of every phrasing from the weight it shares with the query
    (0..80, a little more when sound-alike pairs stand in for missing ones)."""
    dice = 2 * shared / (query_weight + weights)
    coverage = shared / query_weight
    return 100 * (DICE_SHARE * dice + COVERAGE_SHARE * coverage)


def rerank_score(query: Phrase, phrase: Phrase, overlap: float) -> float:
    """The final similarity 0..100: the overlap score plus how alike the two sound."""
    return min(100.0, overlap + SOUND_SHARE * fuzz.ratio(query.sound, phrase.sound))


def with_other_phrasings(score: float, phrase_coverage: float, entry_coverage: float) -> float:
    """An entry's score: its best phrasing's, raised by part of what its other phrasings add
    to how much of the question is covered (a customer mixes words from several)."""
    extra = max(0.0, entry_coverage - phrase_coverage)
    return min(100.0, score + PHRASINGS_SHARE * 100 * extra)


def confidence(score: float, runner_up: float) -> float:
    """How sure a match is, 0..100: twice its lead over the next entry, and never more than
    its score (a close call or a weak match is not answered)."""
    if score <= 0:
        return 0.0
    return max(0.0, min(score, 2 * (score - runner_up)))
