"""FAQ matching accuracy and speed on real customer questions (the shared faqbench data).

For each knowledge base (shop300, 5k, 10k) runs three matchers side by side: kefu through the
public `KnowledgeBase` API, plain Okapi BM25 on character uni+bigrams, and plain rapidfuzz
`fuzz.ratio`. Prints one Markdown table: top-1, top-5, answered@FA10, median and p99
microseconds per query, index build seconds, and kefu's ratio to both baselines.

    .venv/bin/python bench/faq_bench.py [--data ../shared/faqbench] [--limit N]

The data stays in the shared folder; nothing is copied into the repository.
"""

import argparse
import heapq
import json
import math
import statistics
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from operator import itemgetter
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeBase  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "faqbench"
TOP_K = 5
FALSE_ANSWER_SHARE = 0.10

# (label, knowledge base file, in-scope queries, out-of-scope queries)
SUITES = (
    (
        "kb_shop300",
        "kb_shop300.jsonl",
        "queries.shop300.public.jsonl",
        "queries.shop300.oos.public.jsonl",
    ),
    ("kb.jsonl (5k)", "kb.jsonl", "queries.public.jsonl", "queries.oos.public.jsonl"),
    ("kb_10k", "kb_10k.jsonl", "queries.public.jsonl", "queries.oos.public.jsonl"),
)

# A search takes a query and returns (entry ids best first, confidence of the first).
Search = Callable[[str], tuple[list[str], float]]


@dataclass(frozen=True)
class Query:
    text: str
    gold: str | None


@dataclass(frozen=True)
class Result:
    method: str
    top1: float
    top5: float
    answered: float
    median_us: float
    p99_us: float
    build_s: float


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_queries(path: Path, limit: int | None) -> list[Query]:
    return [Query(row["query"], row["gold"]) for row in read_jsonl(path)[:limit]]


def plain_form(text: str) -> str:
    """Baseline normalisation: width and case folded, only letters and digits kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def uni_bigrams(text: str) -> list[str]:
    return list(text) + [text[i : i + 2] for i in range(len(text) - 1)]


class PlainBM25:
    """Okapi BM25 (k1=1.5, b=0.75, Lucene idf) over character uni+bigrams, eagerly weighted."""

    def __init__(self, texts: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        documents = [Counter(uni_bigrams(plain_form(text))) for text in texts]
        lengths = [sum(document.values()) for document in documents]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        frequency = Counter(gram for document in documents for gram in document)
        count = len(documents)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for index, (document, length) in enumerate(zip(documents, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / average)
            for gram, tf in document.items():
                df = frequency[gram]
                idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
                indices, weights = postings.setdefault(gram, ([], []))
                indices.append(index)
                weights.append(idf * tf * (k1 + 1) / (tf + norm))
        self._postings = postings
        self._count = count

    def search(self, text: str, limit: int) -> list[tuple[int, float]]:
        """(document index, score) best first; each distinct query gram counts once."""
        # A dense score list beats a dict here: the commonest grams hit most documents.
        scores = [0.0] * self._count
        for gram in set(uni_bigrams(plain_form(text))):
            indices, weights = self._postings.get(gram, ((), ()))
            for index, weight in zip(indices, weights, strict=True):
                scores[index] += weight
        best = heapq.nlargest(limit, enumerate(scores), key=itemgetter(1))
        return [(index, score) for index, score in best if score > 0]


def build_kefu(path: Path) -> Search:
    kb = KnowledgeBase.from_file(path)

    def search(text: str) -> tuple[list[str], float]:
        matches = kb.search(text, limit=TOP_K)
        return [m.entry.id for m in matches], matches[0].confidence if matches else 0.0

    return search


def build_bm25(path: Path) -> Search:
    rows = read_jsonl(path)
    ids = [row["id"] for row in rows]
    index = PlainBM25([row["question"] for row in rows])

    def search(text: str) -> tuple[list[str], float]:
        hits = index.search(text, TOP_K)
        return [ids[i] for i, _ in hits], hits[0][1] if hits else 0.0

    return search


def build_fuzz(path: Path) -> Search:
    rows = read_jsonl(path)
    ids = [row["id"] for row in rows]
    choices = [plain_form(row["question"]) for row in rows]

    def search(text: str) -> tuple[list[str], float]:
        hits = process.extract(plain_form(text), choices, scorer=fuzz.ratio, limit=TOP_K)
        return [ids[i] for _, _, i in hits], hits[0][1] if hits else 0.0

    return search


def answered_at_false_share(
    inscope: list[tuple[bool, float]], oos_scores: list[float], share: float
) -> float:
    """Share of in-scope queries right at top-1 and above the threshold that lets at most
    `share` of the out-of-scope queries through (answered means strictly above it)."""
    allowed = math.floor(share * len(oos_scores))
    ranked = sorted(oos_scores, reverse=True)
    threshold = ranked[allowed] if allowed < len(ranked) else -math.inf
    return sum(right and score > threshold for right, score in inscope) / len(inscope)


def measure(
    method: str, build: Callable[[], Search], inscope: list[Query], oos: list[Query]
) -> Result:
    started = time.perf_counter()
    search = build()
    build_s = time.perf_counter() - started
    timings: list[float] = []
    outcomes: list[tuple[list[str], float]] = []
    for query in [*inscope, *oos]:
        started = time.perf_counter()
        outcome = search(query.text)
        timings.append(time.perf_counter() - started)
        outcomes.append(outcome)
    found = outcomes[: len(inscope)]
    right = [
        (bool(ids) and ids[0] == q.gold, score)
        for q, (ids, score) in zip(inscope, found, strict=True)
    ]
    timings.sort()
    return Result(
        method=method,
        top1=sum(r for r, _ in right) / len(inscope),
        top5=sum(q.gold in ids for q, (ids, _) in zip(inscope, found, strict=True)) / len(inscope),
        answered=answered_at_false_share(
            right, [s for _, s in outcomes[len(inscope) :]], FALSE_ANSWER_SHARE
        ),
        median_us=statistics.median(timings) * 1e6,
        p99_us=timings[max(0, math.ceil(len(timings) * 0.99) - 1)] * 1e6,
        build_s=build_s,
    )


METHODS: tuple[tuple[str, Callable[[Path], Search]], ...] = (
    ("kefu", build_kefu),
    ("BM25", build_bm25),
    ("fuzz.ratio", build_fuzz),
)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"


def print_table(rows: list[tuple[str, list[Result]]]) -> None:
    print(
        "| KB | method | top-1 | top-5 | answered@FA10 | median µs | p99 µs | build s "
        "| top-1 ×BM25 / ×fuzz | median µs ×BM25 / ×fuzz |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, results in rows:
        kefu, bm25, fuzzy = results
        for result in results:
            ratios = "| | |"
            if result is kefu:
                ratios = (
                    f"| {ratio(kefu.top1, bm25.top1)} / {ratio(kefu.top1, fuzzy.top1)} "
                    f"| {ratio(kefu.median_us, bm25.median_us)} / "
                    f"{ratio(kefu.median_us, fuzzy.median_us)} |"
                )
            print(
                f"| {label} | {result.method} | {result.top1:.3f} | {result.top5:.3f} "
                f"| {result.answered:.3f} | {result.median_us:,.0f} | {result.p99_us:,.0f} "
                f"| {result.build_s:.2f} {ratios}"
            )


def kefu_memory(path: Path) -> tuple[float, float]:
    """MiB held by a built KnowledgeBase and the peak while building it (traced separately,
    because tracing slows the build)."""
    tracemalloc.start()
    kb = KnowledgeBase.from_file(path)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kb
    return held / 2**20, peak / 2**20


def kefu_edit_cost(path: Path) -> tuple[float, float]:
    """Seconds to build the KnowledgeBase, and to add one phrasing to an entry and search
    (the first search after an edit brings the weights up to date)."""
    started = time.perf_counter()
    kb = KnowledgeBase.from_file(path)
    build = time.perf_counter() - started
    entry = kb.entries[len(kb) // 2]
    started = time.perf_counter()
    kb.put(replace(entry, alternates=(*entry.alternates, entry.question + "怎么办")))
    kb.search(entry.question, limit=TOP_K)
    return build, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N queries of each file")
    parser.add_argument("--no-memory", action="store_true", help="skip tracing the 10k build")
    args = parser.parse_args()
    rows: list[tuple[str, list[Result]]] = []
    for label, kb_file, inscope_file, oos_file in SUITES:
        inscope = read_queries(args.data / inscope_file, args.limit)
        oos = read_queries(args.data / oos_file, args.limit)
        path = args.data / kb_file
        results = [measure(name, partial(build, path), inscope, oos) for name, build in METHODS]
        rows.append((label, results))
        print(
            f"measured {label}: {len(inscope)} in-scope, {len(oos)} out-of-scope", file=sys.stderr
        )
    print_table(rows)
    largest = args.data / SUITES[-1][1]
    build, edit = kefu_edit_cost(largest)
    print(
        f"\nkefu {SUITES[-1][0]}: build {build:.2f} s; one new phrasing, then a search: "
        f"{edit * 1e3:.1f} ms ({edit / build:.4f} of a build)"
    )
    if not args.no_memory:
        for label, kb_file, *_ in SUITES:
            held, peak = kefu_memory(args.data / kb_file)
            print(f"kefu {label} KnowledgeBase memory: {held:.1f} MiB held, {peak:.1f} MiB peak")


if __name__ == "__main__":
    main()
