"""Score a customer's question against FAQ phrasings with rapidfuzz on normalised text."""

from collections import Counter

from rapidfuzz import fuzz

# Below this many characters a substring match says little ("退货" is in half the FAQ).
_MIN_PARTIAL_LENGTH = 4


def bigrams(text: str) -> Counter[str]:
    """Character bigrams (a single character counts as one)."""
    if len(text) < 2:
        return Counter([text]) if text else Counter()
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def phrase_score(
    query: str, query_bigrams: Counter[str], phrase: str, phrase_bigrams: Counter[str]
) -> float:
    """Similarity 0..100 of two normalised texts.

    Edit-distance ratio catches typos; bigram overlap catches reordered words; a partial match
    catches a question wrapped in other words, discounted by how much of the longer text it covers.
    """
    if not query or not phrase:
        return 0.0
    ratio = fuzz.ratio(query, phrase)
    shared = sum((query_bigrams & phrase_bigrams).values())
    total = sum(query_bigrams.values()) + sum(phrase_bigrams.values())
    overlap = 200.0 * shared / total if total else 0.0
    score = max(ratio, overlap)
    shorter, longer = sorted((len(query), len(phrase)))
    if shorter >= _MIN_PARTIAL_LENGTH:
        coverage = shorter / longer
        partial = fuzz.partial_ratio(query, phrase) * (0.75 + 0.25 * coverage)
        score = max(score, partial)
    return score
