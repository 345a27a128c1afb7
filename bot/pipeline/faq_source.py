"""The knowledge base the assistant answers from, kept in step with the FAQ table.

Staff edit the FAQ in the console, possibly through another process: each message checks
the table's revision (one small query). When it changed, only the entries edited since are
read again and the deleted ones dropped, so a staff member's new phrasing counts at once
without rebuilding the whole index.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge import FaqItem, KnowledgeBase
from knowledge.synonyms import Synonyms
from storage.models import FaqEntry
from storage.repositories import Repositories
from storage.repositories.faq import FaqRevision


def item_of(row: FaqEntry) -> FaqItem:
    """The knowledge base's entry for a row of the FAQ table."""
    return FaqItem(row.id, row.question, row.answer, tuple(row.alternates or ()), row.category)


def knowledge_base_from(rows: Iterable[FaqEntry], synonyms: Synonyms) -> KnowledgeBase:
    return KnowledgeBase((item_of(row) for row in rows), synonyms)


@dataclass
class FaqSource:
    kb: KnowledgeBase
    synonyms: Synonyms
    revision: FaqRevision | None = None
    # Messages and console pages may catch up at the same time; one at a time edits the index.
    _updating: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    async def load(cls, repos: Repositories) -> "FaqSource":
        synonyms = Synonyms.from_file()
        source = cls(KnowledgeBase((), synonyms), synonyms)
        await source.current(repos)
        return source

    async def current(self, repos: Repositories) -> KnowledgeBase:
        """The knowledge base for the FAQ table as it is now."""
        revision = await repos.faq.revision()
        if revision == self.revision:
            return self.kb
        async with self._updating:
            if revision != self.revision:
                await self._catch_up(repos)
                self.revision = revision
        return self.kb

    async def _catch_up(self, repos: Repositories) -> None:
        newest = self.revision[1] if self.revision else None
        if newest is not None:
            for row in await repos.faq.changed_since(newest):
                self.kb.put(item_of(row))
            kept = await repos.faq.ids()
            for entry in self.kb.entries:
                if entry.id not in kept:
                    self.kb.remove(entry.id)
            if len(self.kb) == len(kept):
                return
        # The first load, or rows written with an older time than the newest seen (an import
        # from a machine whose clock is behind): read everything.
        self.kb = knowledge_base_from(await repos.faq.all(), self.synonyms)
