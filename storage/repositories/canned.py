"""Canned replies: ready answers staff insert into a chat."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CannedReply


class CannedReplyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> Sequence[CannedReply]:
        return (await self._session.scalars(select(CannedReply).order_by(CannedReply.title))).all()

    async def by_id(self, reply_id: int) -> CannedReply | None:
        return await self._session.get(CannedReply, reply_id)

    async def save(
        self, reply_id: int | None, title: str, text: str, now: datetime
    ) -> CannedReply | None:
        """Add a reply (no id) or change one; None when the id is unknown."""
        if reply_id is None:
            reply = CannedReply(title=title, text=text, updated_at=now)
            self._session.add(reply)
        else:
            found = await self._session.get(CannedReply, reply_id)
            if found is None:
                return None
            reply = found
            reply.title, reply.text, reply.updated_at = title, text, now
        await self._session.flush()
        return reply

    async def delete(self, reply_id: int) -> bool:
        reply = await self._session.get(CannedReply, reply_id)
        if reply is None:
            return False
        await self._session.delete(reply)
        await self._session.flush()
        return True
