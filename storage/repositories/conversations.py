"""Conversations: mode, the open dialog and short-term memory, one per identity."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_identity(self, identity_id: int, now: datetime) -> Conversation:
        """The identity's conversation, started on first contact."""
        found = await self._session.scalar(
            select(Conversation).where(Conversation.identity_id == identity_id)
        )
        if found is not None:
            return found
        conversation = Conversation(
            identity_id=identity_id, mode="bot", dialog=None, memory={}, updated_at=now
        )
        self._session.add(conversation)
        await self._session.flush()
        return conversation

    async def save_state(
        self,
        conversation: Conversation,
        dialog: dict[str, Any] | None,
        memory: dict[str, Any],
        now: datetime,
    ) -> None:
        # JSON columns are compared by identity: assign fresh objects so changes are written.
        conversation.dialog = dict(dialog) if dialog is not None else None
        conversation.memory = dict(memory)
        conversation.updated_at = now
        await self._session.flush()
