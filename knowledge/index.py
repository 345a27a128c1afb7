"""An inverted index from grams to the phrasings that contain them, weighted by rarity."""

import math
from array import array
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


class GramIndex(Generic[T]):
    """Phrasings stored as sets of grams, each with an item of the caller's.

    A gram weighs what BM25's inverse document frequency says: rare grams (顺丰, 发票) say more
    than common ones (什么, 吗). A document is a group of phrasings (an FAQ entry), so an
    entry's many ways of asking do not make its own words look common. Phrasings are added and
    removed one at a time; the weights follow on the next query, without reading any text
    again. Removed slots stay empty until the caller builds a fresh index (see `dead`).
    """

    def __init__(self) -> None:
        self._gram_ids: dict[str, int] = {}
        self._postings: list[array[int]] = []  # gram id -> slots holding it, live or not
        self._posting_arrays: list[np.ndarray | None] = []  # cached numpy copies
        self._frequency = array("i")  # gram id -> live documents holding it
        self._documents: dict[Hashable, list[int]] = {}  # its live slots
        # The counted grams of every slot ever added, flat: the slot weights in one numpy call.
        self._flat_slots = array("i")
        self._flat_grams = array("i")
        self._items: list[T | None] = []
        self._slot_documents: list[Hashable] = []
        self._slot_grams: list[array[int]] = []  # counted and lookup-only gram ids
        self._live = bytearray()
        self._live_count = 0
        self._gram_weights: np.ndarray | None = None
        self._slot_weights: np.ndarray | None = None

    @property
    def live(self) -> int:
        """Phrasings stored and not removed."""
        return self._live_count

    @property
    def dead(self) -> int:
        """Slots of removed phrasings, still taking room."""
        return len(self._items) - self._live_count

    def add(
        self,
        item: T,
        document: Hashable,
        counted: Iterable[str],
        lookup_only: Iterable[str] = (),
    ) -> int:
        """Store a phrasing of `document` and return its slot; `lookup_only` grams find it
        without adding to its weight."""
        slot = len(self._items)
        counted_ids = array("i", {self._id(gram) for gram in counted})
        slot_grams = array("i", counted_ids)
        slot_grams.extend({self._id(gram) for gram in lookup_only}.difference(counted_ids))
        siblings = self._documents.setdefault(document, [])
        for gram_id in slot_grams:
            self._postings[gram_id].append(slot)
            self._posting_arrays[gram_id] = None
            if not self._in_any(gram_id, siblings):
                self._frequency[gram_id] += 1
        siblings.append(slot)
        self._flat_slots.extend([slot] * len(counted_ids))
        self._flat_grams.extend(counted_ids)
        self._items.append(item)
        self._slot_documents.append(document)
        self._slot_grams.append(slot_grams)
        self._live.append(1)
        self._live_count += 1
        self._stale()
        return slot

    def remove(self, slot: int) -> None:
        """Forget the phrasing in `slot`; its grams stop counting at once."""
        if not self._live[slot]:
            return
        document = self._slot_documents[slot]
        siblings = self._documents[document]
        siblings.remove(slot)
        for gram_id in self._slot_grams[slot]:
            if not self._in_any(gram_id, siblings):
                self._frequency[gram_id] -= 1
        if not siblings:
            del self._documents[document]
        self._live[slot] = 0
        self._items[slot] = None
        self._live_count -= 1
        self._stale()

    def item(self, slot: int) -> T:
        """What the caller stored with the phrasing in `slot`."""
        item = self._items[slot]
        assert item is not None, f"slot {slot} was removed"
        return item

    def knows(self, gram: str) -> bool:
        """Whether a live phrasing holds the gram."""
        gram_id = self._gram_ids.get(gram)
        return gram_id is not None and self._frequency[gram_id] > 0

    def weight(self, gram: str) -> float:
        """The gram's weight; a gram no phrasing has weighs most."""
        gram_id = self._gram_ids.get(gram)
        frequency = 0 if gram_id is None else self._frequency[gram_id]
        count = len(self._documents)
        return math.log1p((count - frequency + 0.5) / (frequency + 0.5))

    def slot_weights(self) -> np.ndarray:
        """Each slot's total weight of counted grams; removed slots weigh infinitely much."""
        if self._slot_weights is None:
            slots = np.array(self._flat_slots, dtype=np.intc)
            grams = np.array(self._flat_grams, dtype=np.intc)
            totals = np.bincount(
                slots, weights=self._weights()[grams], minlength=len(self._items)
            ).astype(np.float64)
            totals[self._dead_mask()] = np.inf
            self._slot_weights = totals
        return self._slot_weights

    def overlap(self, grams: Iterable[str]) -> np.ndarray:
        """The weight each slot shares with the grams (0 for removed slots)."""
        ids = [self._gram_ids[g] for g in set(grams) if g in self._gram_ids]
        if not ids:
            return np.zeros(len(self._items))
        postings = [self._posting_array(gram_id) for gram_id in ids]
        weights = np.repeat(self._weights()[ids], [len(p) for p in postings])
        shared = np.bincount(np.concatenate(postings), weights=weights, minlength=len(self._items))
        if self.dead:
            shared[self._dead_mask()] = 0.0
        return shared

    def _id(self, gram: str) -> int:
        gram_id = self._gram_ids.get(gram)
        if gram_id is None:
            gram_id = self._gram_ids[gram] = len(self._postings)
            self._postings.append(array("i"))
            self._posting_arrays.append(None)
            self._frequency.append(0)
        return gram_id

    def _in_any(self, gram_id: int, slots: list[int]) -> bool:
        """Whether one of the slots (a document's other phrasings) holds the gram."""
        return any(gram_id in self._slot_grams[slot] for slot in slots)

    def _posting_array(self, gram_id: int) -> np.ndarray:
        cached = self._posting_arrays[gram_id]
        if cached is None:
            cached = np.array(self._postings[gram_id], dtype=np.intc)
            self._posting_arrays[gram_id] = cached
        return cached

    def _weights(self) -> np.ndarray:
        """`weight` of every gram id at once."""
        if self._gram_weights is None:
            frequency = np.array(self._frequency, dtype=np.float64)
            count = len(self._documents)
            self._gram_weights = np.log1p((count - frequency + 0.5) / (frequency + 0.5))
        return self._gram_weights

    def _dead_mask(self) -> np.ndarray:
        return np.frombuffer(bytes(self._live), dtype=np.uint8) == 0

    def _stale(self) -> None:
        self._gram_weights = None
        self._slot_weights = None
