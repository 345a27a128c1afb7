"""Follow-ups for test chats: schedule one, send what is due, read what became of it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.outreach.followup_delivery import ChannelReach, Dispatched, send_due_followups
from bot.services import Services
from storage.models import FollowUp, Identity, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock


@dataclass
class FollowUpDesk:
    """Follow-ups for test chats: schedule one, send what is due, read what became of it."""

    services: Services
    clock: FakeClock

    async def schedule(
        self,
        chat: Chat,
        subject: str,
        *,
        due: datetime | None = None,
        kind: str = "visit",
        text: str = "亲，这次购物还满意吗？回复 1～5 分就好～",
        **fields: Any,
    ) -> None:
        """Schedule a follow-up for the chat (which has said hello first)."""
        identity = await self.identity(chat)
        async with self.services.sessions() as session, session.begin():
            added = await Repositories.for_session(session).followups.schedule(
                kind=kind,
                subject=subject,
                identity_id=identity.id,
                customer_id=identity.customer_id,
                text=text,
                due_at=due or self.clock.now(),
                created_at=self.clock.now(),
                **fields,
            )
        assert added

    async def identity(self, chat: Chat) -> Identity:
        """The chat's identity; a chat that never wrote says hello first."""
        for _ in range(2):
            async with self.services.sessions() as session:
                found = await Repositories.for_session(session).identities.find(
                    chat.channel, chat.user
                )
            if found is not None:
                return found
            await chat.say("你好")
        raise AssertionError(f"no identity for {chat.user}")

    async def send(self, reach: Mapping[str, ChannelReach] | None = None) -> Dispatched:
        return await send_due_followups(
            self.services.sessions, self.clock, self.services.settings, reach or {}
        )

    async def get(self, subject: str) -> FollowUp:
        async with self.services.sessions() as session:
            found = await Repositories.for_session(session).followups.by_subject(subject)
            assert found is not None, f"no follow-up {subject}"
            return found

    async def outbox_texts(self, chat: Chat) -> list[str]:
        """What is waiting in (or went through) the outbox for this chat, oldest first."""
        identity = await self.identity(chat)
        async with self.services.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.identity_id == identity.id)
                .order_by(OutboxMessage.id)
            )
            return [row.text for row in rows]
