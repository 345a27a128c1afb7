"""Conversations: mode, the open dialog and short-term memory, one per identity."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import ConversationMode
from storage.models import Conversation, Customer, Identity, Message


@dataclass(frozen=True)
class ConversationOwner:
    """The chat identity a conversation is with, and its verified customer if bound."""

    identity_id: int
    channel: str
    external_id: str
    customer_id: int | None
    customer_name: str | None


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
            identity_id=identity_id,
            mode=ConversationMode.BOT,
            dialog=None,
            memory={},
            updated_at=now,
        )
        self._session.add(conversation)
        await self._session.flush()
        return conversation

    async def for_identities(
        self, identity_ids: Collection[int], now: datetime
    ) -> dict[int, Conversation]:
        """The conversations of these identities, by identity id; missing ones are started."""
        result = await self._session.scalars(
            select(Conversation).where(Conversation.identity_id.in_(list(identity_ids)))
        )
        found = {conversation.identity_id: conversation for conversation in result.all()}
        for identity_id in set(identity_ids) - set(found):
            found[identity_id] = await self.for_identity(identity_id, now)
        return found

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

    async def by_id(self, conversation_id: int) -> Conversation | None:
        return await self._session.get(Conversation, conversation_id)

    async def by_ids(self, conversation_ids: Collection[int]) -> dict[int, Conversation]:
        if not conversation_ids:
            return {}
        result = await self._session.scalars(
            select(Conversation).where(Conversation.id.in_(list(conversation_ids)))
        )
        return {conversation.id: conversation for conversation in result.all()}

    async def in_mode(self, mode: str) -> Sequence[Conversation]:
        """Conversations in one mode, most recently changed first."""
        result = await self._session.scalars(
            select(Conversation)
            .where(Conversation.mode == mode)
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        )
        return result.all()

    async def active_in_mode(
        self, mode: str, since: datetime, limit: int = 50
    ) -> list[tuple[Conversation, datetime]]:
        """Conversations in `mode` with a message since `since`, newest message time first."""
        last_at = func.max(Message.created_at).label("last_at")
        rows = await self._session.execute(
            select(Conversation, last_at)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.mode == mode, Message.created_at >= since)
            .group_by(Conversation.id)
            .order_by(last_at.desc(), Conversation.id.desc())
            .limit(limit)
        )
        return [(conversation, at) for conversation, at in rows.all()]

    async def owners(self, conversation_ids: Collection[int]) -> dict[int, ConversationOwner]:
        """Who each conversation is with: the chat identity and its verified customer."""
        if not conversation_ids:
            return {}
        rows = await self._session.execute(
            select(
                Conversation.id,
                Identity.id,
                Identity.channel,
                Identity.external_id,
                Identity.customer_id,
                Customer.name,
            )
            .join(Identity, Identity.id == Conversation.identity_id)
            .outerjoin(Customer, Customer.id == Identity.customer_id)
            .where(Conversation.id.in_(list(conversation_ids)))
        )
        return {row[0]: ConversationOwner(*row[1:]) for row in rows.all()}

    async def live_marker(self) -> tuple[datetime | None, tuple[tuple[int, str, int | None], ...]]:
        """Newest change time and holders of non-bot conversations: changes on any hand-over."""
        newest = await self._session.scalar(select(func.max(Conversation.updated_at)))
        rows = await self._session.execute(
            select(Conversation.id, Conversation.mode, Conversation.staff_id)
            .where(Conversation.mode != ConversationMode.BOT)
            .order_by(Conversation.id)
        )
        return newest, tuple((row[0], row[1], row[2]) for row in rows.all())
