"""Repositories: the only code that queries the database."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.conversations import ConversationRepository
from storage.repositories.faq import FaqRepository, UnansweredRepository
from storage.repositories.identities import IdentityRepository
from storage.repositories.messages import MessageRepository
from storage.repositories.orders import OrderRepository


@dataclass(frozen=True)
class Repositories:
    """All repositories bound to one session: one unit of work."""

    session: AsyncSession
    identities: IdentityRepository
    conversations: ConversationRepository
    messages: MessageRepository
    orders: OrderRepository
    faq: FaqRepository
    unanswered: UnansweredRepository

    @classmethod
    def for_session(cls, session: AsyncSession) -> "Repositories":
        return cls(
            session=session,
            identities=IdentityRepository(session),
            conversations=ConversationRepository(session),
            messages=MessageRepository(session),
            orders=OrderRepository(session),
            faq=FaqRepository(session),
            unanswered=UnansweredRepository(session),
        )


__all__ = [
    "ConversationRepository",
    "FaqRepository",
    "IdentityRepository",
    "MessageRepository",
    "OrderRepository",
    "Repositories",
    "UnansweredRepository",
]
