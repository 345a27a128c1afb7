"""Stored conversations, looked up the way a test names a customer."""

from bot.services import Services
from storage.models import Conversation
from storage.repositories import Repositories


async def conversation_of(services: Services, user: str) -> Conversation:
    async with services.sessions() as session:
        repos = Repositories.for_session(session)
        identity = await repos.identities.find("web", user)
        assert identity is not None
        return await repos.conversations.for_identity(identity.id, services.clock.now())
