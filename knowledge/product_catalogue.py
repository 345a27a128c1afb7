"""Which products a customer's message names, and which suit a need it names.

Every product is known by a few *views*: its name, its name without the size (customers say
烟酰胺精华液, not 烟酰胺精华液30ml), each other name, and its category (面膜 names every mask).
Text is read as the FAQ reads it (`normalize`), then into tokens (a character, or a run of
Latin letters or digits such as 30ml), spelt twice: as written and as it sounds (pinyin with
the distinctions pinyin typists miss folded), so 面模 and 烟酰氨 are heard as 面膜 and 烟酰胺.

Adjacent token pairs (a view of one token: the token) are the grams. A gram weighs by how
rare it is among products (BM25's inverse document frequency), so 玻尿酸 says more than 面膜.
A product's score (0-100) multiplies two shares of weight:
- *coverage*: how much of its best view the text says (a gram only heard counts
  `SOUND_CREDIT`; rapidfuzz's partial_ratio over sounds rescues a view whose grams a missing
  or swapped token broke);
- *explained*: how much of the text's product words (grams some product has) it accounts for,
  so "玻尿酸面膜" prefers the one mask with 玻尿酸 over the other masks its 面膜 also fits.
Question words (多少钱, 有货吗) are in no view, so they neither help nor hurt. A product must
share at least one gram with the text as written: sound alone is too easily chance.

A numpy inverted index over sound grams scores every product sharing a gram with the text at
once; the best `CANDIDATES` are then scored exactly in Python. Tags are matched as written,
after the same normalisation and the shop's synonyms.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from knowledge.normalize import normalize
from knowledge.pinyin import syllable
from knowledge.synonyms import Synonyms

# A gram said only by sound may be another word (精华 and 净化): the exact one must win clearly.
SOUND_CREDIT = 0.6
# A view aligned by rapidfuzz despite a missing or wrong token is less sure than its grams.
FUZZY_CREDIT = 0.8
# At least about three of every four tokens of the view in place (partial_ratio, 0-100).
FUZZY_CUTOFF = 75.0
# Below this the text shares only a sliver of a name: a generic word such as 精华 in a long
# name with no category still reaches it (about 15-20), a stray pair of characters does not.
MIN_SCORE = 12.0
# Close ones score within this many points of the best: a clear leader is named alone, and
# when every match is weak (a generic word of long names) none of them leads and all are asked.
NEAR_GAP = 20.0
# A text this close to a name (rapidfuzz ratio over sounds) is only that name: a typo or a
# particle more, not a question about it.
ONLY_NAME_RATIO = 80.0
# How many products the index hands on to the exact score; more than a customer can be asked.
CANDIDATES = 12

# Latin letters and digits go as runs (30ml, vc); everything else one character at a time.
_TOKEN = re.compile(r"\d+[a-z]*|[a-z]+|.", re.DOTALL)
# A size or count in a name (30ml, 50g, 100克, 5片), left out of the name's short view.
_SIZE = re.compile(r"\d+(?:[a-z]+|毫升|克|片|支|瓶|盒|袋|罐|包|只|粒|套)")
# Codes stand for tokens and sounds, one character each, so rapidfuzz compares plain strings.
_FIRST_CODE = 0xF0000  # Unicode's private use plane: never in real text
_UNKNOWN = chr(_FIRST_CODE)  # any token no view has


@dataclass(frozen=True)
class ProductItem:
    sku: str
    name: str
    aliases: tuple[str, ...] = ()
    category: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductMatch:
    item: ProductItem
    score: float  # 0-100: how closely the text names this product


def matching_form(text: str) -> str:
    """As the FAQ reads questions: width, case, script and Chinese numbers folded, punctuation,
    filler words (请问, 亲) and closing particles gone; names are read the same way, so a
    name that holds a filler word loses it on both sides. Only the start of a long text is
    read (`MATCHED_CHARS`), which bounds the work a pasted essay costs."""
    return normalize(text)


def _grams(coded: str) -> list[str]:
    if len(coded) == 1:
        return [coded]
    return [coded[i : i + 2] for i in range(len(coded) - 1)]


@dataclass(frozen=True)
class _Query:
    sounds: str
    # Each sound gram of the text some product has: its id, weight, characters in the text.
    hits: dict[str, tuple[int, float, frozenset[str]]]
    total: float  # weight of all hits, those no product writes so at `SOUND_CREDIT`


class ProductCatalogue:
    """Products matched by name, other name, category or a part of them, and by tags."""

    def __init__(self, items: Iterable[ProductItem], synonyms: Synonyms | None = None) -> None:
        self._synonyms = synonyms if synonyms is not None else Synonyms.from_file()
        self._items = list(items)
        self._by_sku: dict[str, ProductItem] = {}
        for item in self._items:
            if item.sku in self._by_sku:
                raise ValueError(f"duplicate product sku {item.sku!r}")
            self._by_sku[item.sku] = item
        self._codes: dict[str, str] = {}
        self._index_names()
        self._index_tags()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[ProductItem]:
        """Every product, in catalogue order."""
        return list(self._items)

    def get(self, sku: str) -> ProductItem | None:
        return self._by_sku.get(sku)

    def find(self, text: str, limit: int = 5) -> list[ProductMatch]:
        """Products the text names, best first; [] when it names none."""
        query = self._read(text)
        if query is None or limit <= 0:
            return []
        scored = []
        for index in self._candidates(query, max(limit, CANDIDATES)):
            score = round(self._score(index, query), 1)  # equal names tie exactly
            if score >= MIN_SCORE:
                scored.append((-score, index))
        scored.sort()
        return [ProductMatch(self._items[index], -score) for score, index in scored[:limit]]

    def named(self, text: str, limit: int = 5) -> list[ProductItem]:
        """The product the text names: one item when one is clearly meant, up to `limit` close
        ones (best first) when it could be any of them (the bot then asks which), [] when the
        text names no product."""
        found = self.find(text, limit)
        if not found:
            return []
        best = found[0].score
        return [match.item for match in found if match.score >= best - NEAR_GAP]

    def only_named(self, text: str) -> ProductItem | None:
        """The product when the text is nothing but its name or another name ("小白瓶"),
        typos allowed; None when it says more, or could be several products."""
        named = self.named(text)
        if len(named) != 1:
            return None
        _, sounds = self._spell(matching_form(text), learn=False)
        item = named[0]
        forms = _view_forms(ProductItem(item.sku, item.name, item.aliases))  # not the category
        spelt = (self._spell(form, learn=False)[1] for form in forms)
        if max(fuzz.ratio(sounds, view) for view in spelt) >= ONLY_NAME_RATIO:
            return item
        return None

    def suited(self, text: str, limit: int = 3) -> list[ProductItem]:
        """Products whose tags the text names ("敏感肌用哪个好" → products tagged 敏感肌),
        most matching tags first, narrowed to a category when the text names one
        ("敏感肌用哪个面膜好" → masks only); [] when the text names no tag."""
        form = self._synonyms.fold(matching_form(text))
        named_tags = [tag for tag in self._tagged if tag in form]
        if not named_tags or limit <= 0:
            return []
        kinds = {kind for kind in self._kinds if kind in form}
        counts = Counter(index for tag in named_tags for index in self._tagged[tag])
        ranked = sorted(
            (-count, index)
            for index, count in counts.items()
            if not kinds or self._kind_of[index] in kinds
        )
        return [self._items[index] for _, index in ranked[:limit]]

    # Reading

    def _code(self, symbol: str) -> str:
        code = self._codes.get(symbol)
        if code is None:
            code = self._codes[symbol] = chr(_FIRST_CODE + 1 + len(self._codes))
        return code

    def _spell(self, form: str, learn: bool) -> tuple[str, str]:
        """The form's tokens and their sounds, as codes; unknown ones as `_UNKNOWN` when the
        text is a question (a question must not grow the catalogue's alphabet)."""
        code = self._code if learn else (lambda symbol: self._codes.get(symbol, _UNKNOWN))
        tokens = _TOKEN.findall(form)
        chars = "".join(code(token) for token in tokens)
        sounds = "".join(code(syllable(token) if len(token) == 1 else token) for token in tokens)
        return chars, sounds

    def _read(self, text: str) -> _Query | None:
        """The text's grams that some product has; None when it has none."""
        chars, sounds = self._spell(matching_form(text), learn=False)
        said: dict[str, set[str]] = {}
        for start in range(len(sounds)):
            for end in (start + 1, start + 2):  # a single token may be a one-token view
                if end <= len(sounds) and sounds[start:end] in self._gram_ids:
                    spellings = said.setdefault(sounds[start:end], set())
                    if chars[start:end] in self._written:
                        spellings.add(chars[start:end])
        if not said:
            return None
        hits = {}
        total = 0.0
        for gram, spellings in said.items():
            gram_id = self._gram_ids[gram]
            hits[gram] = (gram_id, float(self._weights[gram_id]), frozenset(spellings))
            # Written as no product writes it: a typo, or chance; it counts as much as a
            # product that only sounds like it can account for.
            total += hits[gram][1] * (1.0 if spellings else SOUND_CREDIT)
        return _Query(sounds, hits, total)

    # Indexing names

    def _index_names(self) -> None:
        # Views are numbered product by product: each product's views are one run of numbers.
        self._view_chars: list[str] = []
        self._view_sounds: list[str] = []
        first_views = [0]
        view_product: list[int] = []
        postings: dict[str, set[int]] = {}  # sound gram -> products
        known: dict[str, tuple[str, str]] = {}  # form -> spelling: categories recur
        for index, item in enumerate(self._items):
            spelt = dict.fromkeys(
                known.get(form) or known.setdefault(form, self._spell(form, learn=True))
                for form in _view_forms(item)
            )
            for chars, sounds in spelt:
                self._view_chars.append(chars)
                self._view_sounds.append(sounds)
                view_product.append(index)
                for gram in _grams(sounds):
                    postings.setdefault(gram, set()).add(index)
            first_views.append(len(self._view_sounds))
        self._first_views = first_views
        self._written = {gram for chars in set(self._view_chars) for gram in _grams(chars)}
        self._view_product = np.array(view_product, dtype=np.int32)

        count = len(self._items)
        self._gram_ids = {gram: gram_id for gram_id, gram in enumerate(postings)}
        frequency = np.array([len(products) for products in postings.values()], dtype=np.float64)
        self._weights = np.log1p((count - frequency + 0.5) / (frequency + 0.5))

        view_rows = [  # (sound gram id, view), each gram once a view
            (gram_id, view)
            for view, sounds in enumerate(self._view_sounds)
            for gram_id in {self._gram_ids[gram] for gram in _grams(sounds)}
        ]
        grams, views = np.array(view_rows, dtype=np.int64).reshape(-1, 2).T
        self._view_totals = np.bincount(
            views, weights=self._weights[grams], minlength=len(self._view_sounds)
        )
        # Postings as flat arrays with offsets (CSR): gram -> views, gram -> products.
        self._view_starts, self._view_postings = _csr(view_rows, len(self._gram_ids))
        product_rows = [(self._gram_ids[g], i) for g, found in postings.items() for i in found]
        self._product_starts, self._product_postings = _csr(product_rows, len(self._gram_ids))

    def _index_tags(self) -> None:
        def form(text: str) -> str:
            return self._synonyms.fold(matching_form(text))

        self._tagged: dict[str, list[int]] = {}  # tag form -> products, in catalogue order
        self._kind_of: list[str] = []
        for index, item in enumerate(self._items):
            for tag in dict.fromkeys(filter(None, map(form, item.tags))):
                self._tagged.setdefault(tag, []).append(index)
            self._kind_of.append(form(item.category))
        self._kinds = set(filter(None, self._kind_of))

    # Scoring

    def _candidates(self, query: _Query, count: int) -> list[int]:
        """The `count` products sharing most with the text, by sound only, best first; ties in
        catalogue order."""
        ids = [hit[0] for hit in query.hits.values()]
        weights = np.array([hit[1] for hit in query.hits.values()])
        views, view_shared = _gather(self._view_starts, self._view_postings, ids, weights)
        products, product_shared = _gather(
            self._product_starts, self._product_postings, ids, weights
        )
        # Views are numbered product by product, so each product's views are one run.
        owners = self._view_product[views]
        runs = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        coverage = np.maximum.reduceat(view_shared / self._view_totals[views], runs)
        rough = coverage * product_shared  # as `_score`, by sound alone
        if len(products) > count:
            # The count-th best, and of the products scoring just that the first ones
            # (products are in catalogue order): "面膜" ties every mask.
            bar = np.partition(rough, len(rough) - count)[len(rough) - count]
            above = rough > bar
            tied = np.flatnonzero(rough == bar)[: count - int(above.sum())]
            keep = np.sort(np.concatenate([np.flatnonzero(above), tied]))
            products, rough = products[keep], rough[keep]
        order = np.lexsort((products, -rough))
        return [int(index) for index in products[order]]

    def _score(self, index: int, query: _Query) -> float:
        coverage = 0.0
        credits: dict[str, float] = {}  # each gram of the text: its best credit in any view
        for view in range(self._first_views[index], self._first_views[index + 1]):
            said = self._said(view, query)
            shared = sum(query.hits[gram][1] * credit for gram, credit in said.items())
            coverage = max(coverage, self._coverage(view, query, shared))
            for gram, credit in said.items():
                credits[gram] = max(credit, credits.get(gram, 0.0))
        if 1.0 not in credits.values():
            return 0.0  # a name only heard, never written, is too easily chance
        explained = sum(query.hits[gram][1] * credit for gram, credit in credits.items())
        return 100.0 * coverage * explained / query.total

    def _said(self, view: int, query: _Query) -> dict[str, float]:
        """The view's grams the text says: 1 as written, `SOUND_CREDIT` by sound. A gram only
        heard counts when on each side the view ends or goes on being said (a typo inside a
        name); else it more likely spans two words (爽肤水什么 sounds like 水胜 of 若水胜肽,
        想问防晒 like 纹防 of 淡纹防晒乳)."""
        chars, sounds = self._view_chars[view], self._view_sounds[view]
        width = min(2, len(sounds))
        found = [query.hits.get(sounds[i : i + width]) for i in range(len(sounds) - width + 1)]
        said: dict[str, float] = {}
        for i, hit in enumerate(found):
            if hit is None:
                continue
            if chars[i : i + width] in hit[2]:
                credit = 1.0
            elif (i == 0 or found[i - 1]) and (i == len(found) - 1 or found[i + 1]):
                credit = SOUND_CREDIT
            else:
                continue
            gram = sounds[i : i + width]
            said[gram] = max(credit, said.get(gram, 0.0))
        return said

    def _coverage(self, view: int, query: _Query, shared: float) -> float:
        """The share of the view's weight the text says (0-1), from the weight it shares."""
        sounds = self._view_sounds[view]
        coverage = float(shared / self._view_totals[view])
        if coverage < FUZZY_CREDIT and 3 <= len(sounds) <= len(query.sounds):
            # A token missing or swapped for one that sounds different breaks two grams;
            # aligned as a whole the view may still be plainly there.
            aligned = fuzz.partial_ratio(sounds, query.sounds, score_cutoff=FUZZY_CUTOFF)
            coverage = max(coverage, FUZZY_CREDIT * aligned / 100.0)
        return coverage


def _view_forms(item: ProductItem) -> list[str]:
    """The forms a product is named by: name and other names with and without their size,
    and the category."""
    forms = []
    for name in (item.name, *item.aliases):
        form = matching_form(name)
        forms += [form, _SIZE.sub("", form)]
    forms.append(matching_form(item.category))
    return [form for form in forms if form]


def _csr(rows: list[tuple[int, int]], count: int) -> tuple[np.ndarray, np.ndarray]:
    """(key, value) pairs as offsets per key and the values sorted by key, then value."""
    if not rows:
        return np.zeros(count + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    pairs = np.array(sorted(rows), dtype=np.int64)
    starts = np.searchsorted(pairs[:, 0], np.arange(count + 1))
    return starts, pairs[:, 1].astype(np.int32)


def _gather(
    starts: np.ndarray, values: np.ndarray, ids: list[int], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The values the keys post to, sorted, with the summed weight of the keys each has."""
    chunks = [values[starts[i] : starts[i + 1]] for i in ids]
    lengths = [len(chunk) for chunk in chunks]
    found, inverse = np.unique(np.concatenate(chunks), return_inverse=True)
    shared = np.bincount(inverse, weights=np.repeat(weights, lengths), minlength=len(found))
    return found, shared
