"""The message path (DESIGN §2): store, route, answer, store the answers, in one transaction."""

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.pipeline.faq_source import FaqSource
from bot.pipeline.locks import KeyedLocks
from bot.pipeline.product_source import ProductSource
from bot.pipeline.router import Router
from core.clock import Clock
from core.enums import ConversationMode, Sender
from core.messages import Incoming, Reply, SentMessage, ServiceUnavailable
from core.settings import Settings
from handlers.context import Context
from knowledge import KnowledgeBase, ReplyTexts
from storage.models import Message
from storage.repositories import Repositories

# How a message asked to slow down for is marked.
RATE_LIMITED = "rate_limit"
log = logging.getLogger(__name__)


def sanitize(text: str, limit: int) -> str:
    """Text safe to store, cut at `limit` characters.

    NUL (refused by PostgreSQL) and lone surrogates (not encodable at all) become U+FFFD.
    """
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text.replace("\x00", "\ufffd")[:limit]


@dataclass
class Assistant:
    sessions: async_sessionmaker[AsyncSession]
    router: Router
    faq: FaqSource
    products: ProductSource
    texts: ReplyTexts
    clock: Clock
    settings: Settings

    def __post_init__(self) -> None:
        self._locks = KeyedLocks()

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base as of the last message."""
        return self.faq.kb

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to a customer's message; a second delivery gets the first answer again."""
        async with self._locks.hold((incoming.channel, incoming.user)):
            try:
                try:
                    return await self._handle_once(incoming, route=True)
                except IntegrityError:
                    # Another process may have stored the same delivery first: answer as it did.
                    return await self._handle_once(incoming, route=True)
            except Exception:
                log.exception("handling a message from %s failed", incoming.channel)
                # Keep the message and tell the customer, rather than lose both. It is kept
                # without its message id, so a retried delivery is answered properly.
                try:
                    return await self._handle_once(replace(incoming, message_id=None), False)
                except Exception as error:
                    raise ServiceUnavailable("the message could not be stored") from error

    async def sent_to(self, channel: str, user: str, after_id: int) -> list[SentMessage]:
        """Messages sent to this channel user with an id above `after_id`, oldest first."""
        async with self.sessions() as session:
            repos = Repositories.for_session(session)
            identity = await repos.identities.find(channel, user)
            if identity is None:
                return []
            sent = await repos.messages.outgoing_after(identity.id, after_id)
            return [SentMessage(m.id, m.text, m.sender, m.created_at) for m in sent]

    async def _slow_down(
        self, repos: Repositories, stored: Message, now: datetime
    ) -> list[Reply] | None:
        """The reply to a message one more than the customer may send in the window (none
        after the first of a burst); None when it is within the limit."""
        limit = self.settings.rate_limit_messages
        recent = await repos.messages.latest_incoming(stored.identity_id, limit + 1)
        window = timedelta(seconds=self.settings.rate_limit_seconds)
        if len(recent) <= limit or now - recent[-1].created_at >= window:
            return None
        stored.handled_by = RATE_LIMITED
        if recent[1].handled_by == RATE_LIMITED:
            return []  # asked to slow down already in this burst
        reply = Reply(self.texts.render("slow_down"))
        await repos.messages.add_outgoing(
            stored.conversation_id,
            stored.identity_id,
            reply.text,
            Sender.BOT,
            now,
            reply_to_id=stored.id,
        )
        return [reply]

    async def _handle_once(self, incoming: Incoming, route: bool) -> list[Reply]:
        now = self.clock.now()
        text = sanitize(incoming.text, self.settings.max_message_chars)
        async with self.sessions() as session, session.begin():
            repos = Repositories.for_session(session)
            await repos.identities.lock_chat(incoming.channel, incoming.user)
            identity = await repos.identities.get_or_create(incoming.channel, incoming.user, now)
            if incoming.message_id is not None:
                earlier = await repos.messages.find_incoming(identity.id, incoming.message_id)
                if earlier is not None:
                    return [Reply(m.text) for m in await repos.messages.replies_to(earlier.id)]
            conversation = await repos.conversations.for_identity(identity.id, now)
            stored = await repos.messages.add_incoming(
                conversation.id, identity.id, text, incoming.message_id, now, incoming.media
            )
            if conversation.mode == ConversationMode.HUMAN and route:
                # A person has the chat: the message waits for them in the console.
                stored.handled_by = "staff"
                conversation.updated_at = now
                return []
            if route and (slowed := await self._slow_down(repos, stored, now)) is not None:
                return slowed
            ctx = Context(
                incoming=replace(incoming, text=text),
                message_id=stored.id,
                identity=identity,
                conversation=conversation,
                repos=repos,
                kb=await self.faq.current(repos),
                catalogue=await self.products.current(repos),
                texts=self.texts,
                clock=self.clock,
                settings=self.settings,
                dialog=dict(conversation.dialog) if conversation.dialog else None,
                memory=dict(conversation.memory or {}),
            )
            if route:
                replies = await self.router.route(ctx)
                stored.handled_by = ctx.handled_by or None
                await repos.conversations.save_state(conversation, ctx.dialog, ctx.memory, now)
            else:
                replies = [ctx.say("internal_error")]
            for reply in replies:
                await repos.messages.add_outgoing(
                    conversation.id, identity.id, reply.text, Sender.BOT, now, reply_to_id=stored.id
                )
            return replies
