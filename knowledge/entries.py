"""FAQ entries and matches: the knowledge base's public value types."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FaqItem:
    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    category: str = ""

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question and every other way of asking it."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqItem
    score: float  # 0..100: how close the entry's best phrasing is to the question
    # 0..100: how sure it is that this entry is the answer (close, and clearly ahead of others)
    confidence: float = 0.0
