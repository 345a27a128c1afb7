"""Messages to Official Account followers through the customer-service API, within the window.

WeChat lets a shop message a follower for 48 hours after the follower's last message, and at
most 5 messages in that time. What was sent is counted per follower in channel_state,
against the id of the customer message that opened the window, so a new message resets it.
Passive replies do not count: only what goes through the API.
"""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.wechat_mp_api import CustomerServiceApi
from bot.channels.window import ReplyWindow
from bot.outreach.outbox import WindowClosed
from bot.pipeline.locks import KeyedLocks
from core.clock import Clock
from core.enums import ChannelName
from storage.repositories import Repositories

CHANNEL = ChannelName.WECHAT_MP
WINDOW = ReplyWindow(timedelta(hours=48))
WINDOW_MESSAGES = 5


def _count_key(user: str) -> str:
    return f"{CHANNEL}:sent:{user}"


class WindowedSender:
    """Sends to followers while their window is open; WindowClosed otherwise."""

    def __init__(
        self, api: CustomerServiceApi, sessions: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self._api = api
        self._sessions = sessions
        self._clock = clock
        # Per follower, so two sends cannot both take the window's last place.
        self._locks = KeyedLocks()

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """The scheduler's question: is the 48-hour window still open?"""
        return WINDOW.may_message(last_heard, now)

    async def deliver(self, user: str, text: str) -> None:
        """Send `text` to the follower `user`, counted against their window."""
        async with self._locks.hold(user):
            opened_by, sent = await self._window(user)
            if sent >= WINDOW_MESSAGES:
                raise WindowClosed(f"{WINDOW_MESSAGES} messages sent since the customer wrote")
            await self._api.send_text(user, text)
            async with self._sessions() as session, session.begin():
                await Repositories.for_session(session).channels.set_state(
                    _count_key(user), f"{opened_by} {sent + 1}", self._clock.now()
                )

    async def _window(self, user: str) -> tuple[int, int]:
        """The id of the customer message that opened the window, and what was sent since."""
        now = self._clock.now()
        async with self._sessions() as session:
            repos = Repositories.for_session(session)
            identity = await repos.identities.find(CHANNEL, user)
            if identity is None:
                raise WindowClosed("the customer never wrote")
            if not identity.active:
                raise WindowClosed("the customer unfollowed the account")
            conversation = await repos.conversations.for_identity(identity.id, now)
            last = (await repos.messages.last_from_customer([conversation.id])).get(conversation.id)
            if last is None or not WINDOW.may_message(last.created_at, now):
                raise WindowClosed("48 hours passed since the customer's last message")
            counted = await repos.channels.state(_count_key(user))
        opened_by, _, sent = (counted or "").partition(" ")
        return last.id, int(sent) if opened_by == str(last.id) else 0
