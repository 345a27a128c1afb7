"""The knowledge base the assistant answers from, kept in step with the FAQ table.

Staff edit the FAQ in the console, possibly through another process: each message checks
the table's revision (one small query) and the knowledge base is rebuilt when it changed.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from knowledge import FaqItem, KnowledgeBase
from storage.models import FaqEntry
from storage.repositories import Repositories
from storage.repositories.faq import FaqRevision


def knowledge_base_from(rows: Iterable[FaqEntry]) -> KnowledgeBase:
    return KnowledgeBase(
        FaqItem(r.id, r.question, r.answer, tuple(r.alternates or ()), r.category) for r in rows
    )


@dataclass
class FaqSource:
    kb: KnowledgeBase
    revision: FaqRevision | None = None

    @classmethod
    async def load(cls, repos: Repositories) -> "FaqSource":
        source = cls(KnowledgeBase(()))
        await source.current(repos)
        return source

    async def current(self, repos: Repositories) -> KnowledgeBase:
        """The knowledge base for the FAQ table as it is now."""
        revision = await repos.faq.revision()
        if revision != self.revision:
            self.kb = knowledge_base_from(await repos.faq.all())
            self.revision = revision
        return self.kb
