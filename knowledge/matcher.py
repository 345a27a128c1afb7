"""Scoring a customer's question against FAQ phrasings.

Texts are compared as bags of characters and character pairs, each weighted by how rare it is
among all phrasings (rare words like 顺丰 or 发票 say more than 什么 or 吗), blended with
rapidfuzz's edit-distance ratio, which forgives typos.
"""

import math
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz

from knowledge.normalize import normalize
from knowledge.synonyms import canonicalize


def matching_form(text: str) -> str:
    """The form every phrasing and question is compared in."""
    return canonicalize(normalize(text))


def grams(text: str) -> Counter[str]:
    """Characters and adjacent character pairs."""
    counts = Counter(text)
    counts.update(text[i : i + 2] for i in range(len(text) - 1))
    return counts


class GramWeights:
    """Inverse document frequency of each gram over a set of phrasings."""

    def __init__(self, documents: Iterable[Counter[str]] = ()) -> None:
        self._document_count = 0
        self._frequency: Counter[str] = Counter()
        for document in documents:
            self.add(document)

    def add(self, document: Counter[str]) -> None:
        self._document_count += 1
        self._frequency.update(document.keys())

    def weight(self, gram: str) -> float:
        n = self._document_count
        return math.log(1 + (n - self._frequency[gram] + 0.5) / (self._frequency[gram] + 0.5))

    def total(self, counts: Counter[str]) -> float:
        return sum(count * self.weight(gram) for gram, count in counts.items())


def phrase_score(
    query: str,
    query_grams: Counter[str],
    query_weight: float,
    phrase: str,
    phrase_grams: Counter[str],
    phrase_weight: float,
    weights: GramWeights,
) -> float:
    """Similarity 0..100 of a question and one phrasing, both in `matching_form`.

    Half is the weighted overlap of both texts (Dice), three tenths how much of the question
    the phrasing covers, and the rest the edit-distance ratio.
    """
    if not query or not phrase or query_weight <= 0 or phrase_weight <= 0:
        return 0.0
    shared = sum(
        min(count, phrase_grams[gram]) * weights.weight(gram)
        for gram, count in query_grams.items()
        if gram in phrase_grams
    )
    dice = 2 * shared / (query_weight + phrase_weight)
    coverage = shared / query_weight
    return 100 * (0.5 * dice + 0.3 * coverage) + 0.2 * fuzz.ratio(query, phrase)
