"""The knowledge base the assistant answers from, kept in step with the FAQ table.

Staff edit the FAQ in the console, possibly through another process: each message checks
the table's revision (one small query). When it changed, only the entries edited since are
read again and the deleted ones dropped, so a staff member's new phrasing counts at once
without rebuilding the whole index.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from knowledge import FaqItem, KnowledgeBase
from storage.models import FaqEntry
from storage.repositories import Repositories
from storage.repositories.faq import FaqRevision


def item_of(row: FaqEntry) -> FaqItem:
    return FaqItem(row.id, row.question, row.answer, tuple(row.alternates or ()), row.category)


def knowledge_base_from(rows: Iterable[FaqEntry]) -> KnowledgeBase:
    return KnowledgeBase(item_of(row) for row in rows)


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
        if revision == self.revision:
            return self.kb
        newest = self.revision[1] if self.revision else None
        if newest is None:
            self.kb = knowledge_base_from(await repos.faq.all())
        else:
            for row in await repos.faq.changed_since(newest):
                self.kb.put(item_of(row))
            kept = await repos.faq.ids()
            for entry in self.kb.entries:
                if entry.id not in kept:
                    self.kb.remove(entry.id)
        self.revision = revision
        return self.kb
