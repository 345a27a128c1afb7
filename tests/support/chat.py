"""A customer chatting with the assistant, as a transcript: say something, get replies."""

from dataclasses import dataclass

from sqlalchemy import select

from bot.services import Services
from core.messages import Incoming
from storage.models import Conversation, Identity
from tests.support.clock import FakeClock


@dataclass
class Chat:
    """A customer chatting on the web channel: say something, get the reply texts back."""

    services: Services
    clock: FakeClock
    user: str = "alice"
    channel: str = "web"

    async def say(self, text: str, message_id: str | None = None) -> list[str]:
        incoming = Incoming(self.channel, self.user, text, self.clock.now(), message_id)
        return [reply.text for reply in await self.services.assistant.handle(incoming)]

    async def ask(self, text: str) -> str:
        """The replies to one message joined into one text."""
        return "\n".join(await self.say(text))

    async def ask_with_id(self, text: str, message_id: str) -> str:
        return "\n".join(await self.say(text, message_id))

    def as_user(self, user: str) -> "Chat":
        return Chat(self.services, self.clock, user, self.channel)

    async def conversation(self) -> Conversation:
        """This customer's conversation as stored now."""
        async with self.services.sessions() as session:
            found = await session.scalar(
                select(Conversation)
                .join(Identity, Identity.id == Conversation.identity_id)
                .where(Identity.channel == self.channel, Identity.external_id == self.user)
            )
            assert found is not None
            return found
