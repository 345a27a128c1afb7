"""The Wechaty channel: personal WeChat (or WeCom) through a puppet service, with the real
Wechaty client.

The client runs in a task of its own. A lost connection is logged and made again after a
growing pause, each time with a fresh client: the client's own recovery sleeps a minute,
restarts itself recursively and prints its errors, so its `start()` is not used. While there
is no logged-in connection, `deliver` raises and the outbox tries the row again later.

Who is who: a contact's private messages are theirs; in a group (room) only messages that
@-mention the bot are answered, in the room with the asker mentioned, and they count as the
asker's own (identity = the contact, never the room): a customer's orders, dialogs and
handover follow the person, and a room's other members get no access to them.
"""

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.user_ids import InvalidUserId, chat_user_id
from bot.channels.wechaty.compat import (
    Contact,
    ContactType,
    Message,
    MessageType,
    PuppetOptions,
    Wechaty,
    WechatyOptions,
    event_handlers,
    extract_host_and_port,
)
from bot.pipeline.assistant import Assistant
from core.clock import Clock
from core.enums import ChannelName
from core.messages import Incoming
from storage.repositories import Repositories

log = logging.getLogger(__name__)

CHANNEL = ChannelName.WECHATY
# Pauses before connecting again after the 1st, 2nd, … failure in a row (seconds).
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
CONNECT_SECONDS = 10.0  # to reach the puppet service
SEND_SECONDS = 30.0  # for one message to be sent
DRAIN_SECONDS = 5.0  # for messages being answered when the connection closes
STOP_SECONDS = 3.0  # for the service to acknowledge `Stop`
# Media references by message type: "wechaty:<kind>:<message id>".
MEDIA_KINDS = {
    MessageType.MESSAGE_TYPE_IMAGE: "image",
    MessageType.MESSAGE_TYPE_ATTACHMENT: "file",
    MessageType.MESSAGE_TYPE_VIDEO: "video",
    MessageType.MESSAGE_TYPE_AUDIO: "audio",
}


class NotConnected(ConnectionError):
    """No logged-in connection to the puppet service right now."""


class _Client(Wechaty):
    """A Wechaty client, for one connection, that hands its account's events to the channel."""

    def __init__(self, endpoint: str, token: str, channel: "WechatyChannel") -> None:
        # The default scheduler keeps plugin jobs in a SQLite file in the working directory.
        self.plugin_scheduler = AsyncIOScheduler()
        super().__init__(
            WechatyOptions(
                puppet_options=PuppetOptions(end_point=endpoint, token=token),
                # No plugins, so the client serves no web pages; it only checks at login that
                # this port is free, and nothing ever listens on port 0.
                port=0,
                scheduler=self.plugin_scheduler,
            )
        )
        self._channel = channel

    async def on_login(self, contact: Contact) -> None:
        self._channel._logged_in(self, contact)

    async def on_logout(self, contact: Contact) -> None:
        self._channel._logged_out(contact)

    async def on_message(self, msg: Message) -> None:
        await self._channel._received(self, msg)


class WechatyChannel:
    """Answers WeChat messages that reach a puppet service, and delivers outbox rows there."""

    dedupes = False  # a contact's say() has no message id to drop a repeat by

    def __init__(
        self,
        assistant: Assistant,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        endpoint: str,
        token: str,
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._clock = clock
        self._endpoint = endpoint
        self._token = token
        self._retry_delays = retry_delays
        self._task: asyncio.Task[None] | None = None
        self._current: _Client | None = None  # the connection's client, logged in or not
        self._client: _Client | None = None  # the same, once logged in
        self._login = asyncio.Event()
        self._failures = 0  # connections lost in a row before a login

    async def start(self) -> None:
        """Connect in the background, and keep connecting until `stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="wechaty channel")

    async def stop(self) -> None:
        """Disconnect; messages being answered get a few seconds to finish."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def mount(self, app: web.Application) -> None:
        """Connect while `app` runs (there are no routes: the puppet service is called)."""

        async def connected(_app: web.Application) -> AsyncIterator[None]:
            async with self:
                yield

        app.cleanup_ctx.append(connected)

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """Personal WeChat has no window for messages the customer did not ask for."""
        return True

    async def wait_until_logged_in(self) -> None:
        """Return once the account is logged in (at once if it is)."""
        await self._login.wait()

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        """Outbox delivery: say `text` to the contact `user`; raise when not connected."""
        client = self._client
        if client is None:
            raise NotConnected("WeChat is not connected (no puppet service, or not logged in)")
        async with asyncio.timeout(SEND_SECONDS):
            await client.Contact.load(user).say(text)

    async def settled(self) -> None:
        """Return once every event received so far has been handled."""
        client = self._current
        if client is not None:
            await _settled(client)

    # --- the connection ---------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            client = _Client(self._endpoint, self._token, self)
            self._current = client
            try:
                await self._connect(client)
                reason = "the service ended the event stream"
            except Exception as error:  # any fault of the connection: connect again
                reason = f"{type(error).__name__}: {error}"
            finally:
                self._current = None
                await self._close(client)
            delay = self._retry_delays[min(self._failures, len(self._retry_delays) - 1)]
            self._failures += 1
            log.warning("wechaty: disconnected (%s); connecting again in %gs", reason, delay)
            await asyncio.sleep(delay)

    async def _connect(self, client: _Client) -> None:
        """Connect and listen; returns when the service ends the event stream."""
        # The client checks the endpoint with a blocking connect of up to 3 seconds, which
        # would stall every other task; try it here first without blocking.
        log.info("wechaty: connecting to %s", self._endpoint)
        host, port = extract_host_and_port(self._endpoint)
        async with asyncio.timeout(CONNECT_SECONDS):
            _reader, writer = await asyncio.open_connection(host, port)
        writer.close()
        await writer.wait_closed()
        await client.init_puppet()
        await client.init_puppet_event_bridge(client.puppet)
        await client.puppet.start()

    async def _close(self, client: _Client) -> None:
        """Let messages being answered finish, then stop the client and close its channel."""
        if self._client is client:
            self._client = None
            self._login.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                await _settled(client)
        puppet = client.puppet
        event_handlers(puppet).cancel()
        if client.plugin_scheduler.running:
            client.plugin_scheduler.shutdown(wait=False)
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await client.stop()
        except Exception as error:  # the connection may be gone already
            log.info("wechaty: stopping the client failed: %s", error)
        finally:
            if puppet.channel is not None:
                puppet.channel.close()

    def _logged_in(self, client: _Client, contact: Contact) -> None:
        self._client = client
        self._login.set()
        self._failures = 0
        log.info("wechaty: logged in as %s", contact.name or contact.contact_id)

    def _logged_out(self, contact: Contact) -> None:
        self._client = None
        self._login.clear()
        log.warning("wechaty: %s logged out; waiting for a new login", contact.contact_id)

    # --- messages ---------------------------------------------------------------------------

    async def _received(self, client: _Client, msg: Message) -> None:
        try:
            await self._answer(client, msg)
        except Exception:  # one message's failure must not end the connection
            log.exception("wechaty: answering message %s failed", msg.message_id)

    async def _answer(self, client: _Client, msg: Message) -> None:
        if msg.is_self():
            return  # the account's own messages: ours, or typed on the phone
        talker = msg.talker()
        if talker.type() == ContactType.CONTACT_TYPE_OFFICIAL:
            return  # official accounts' broadcasts are not customers
        room = msg.room()
        text = msg.text()
        if room is not None:
            name = client.user_self().name
            # Some puppet services leave the mention list empty; the text still says "@name".
            if not (await msg.mention_self() or (name and f"@{name}" in text)):
                return  # group chatter not meant for the bot
            text = _without_mention(text, name)
        try:
            user = chat_user_id(talker.contact_id)
        except InvalidUserId:
            log.warning("wechaty: message %s from an unusable contact id ignored", msg.message_id)
            return
        incoming = self._incoming(msg, user, text)
        if incoming is None:
            log.debug("wechaty: message %s of type %s ignored", msg.message_id, msg.type())
            return
        if not await self._first_time(msg.message_id):
            return  # answered before (the service sends again after a reconnection)
        for number, reply in enumerate(await self._assistant.handle(incoming)):
            async with asyncio.timeout(SEND_SECONDS):
                if room is None:
                    await talker.say(reply.text)
                elif number == 0:  # "@asker" once is enough
                    await room.say(reply.text, mention_ids=[talker.contact_id])
                else:
                    await room.say(reply.text)

    def _incoming(self, msg: Message, user: str, text: str) -> Incoming | None:
        """The message as the assistant takes it; None for types it cannot use."""
        now = self._clock.now()
        kind = msg.type()
        if kind == MessageType.MESSAGE_TYPE_TEXT:
            return Incoming(CHANNEL, user, text, now, msg.message_id)
        if kind in MEDIA_KINDS:
            reference = f"wechaty:{MEDIA_KINDS[kind]}:{msg.message_id}"
            return Incoming(CHANNEL, user, "", now, msg.message_id, (reference,))
        return None

    async def _first_time(self, message_id: str) -> bool:
        async with self._sessions() as session, session.begin():
            channels = Repositories.for_session(session).channels
            return await channels.first_time(CHANNEL, message_id, self._clock.now())


async def _settled(client: _Client) -> None:
    """Wait for the client's event handlers, including those the finished ones started."""
    handlers = event_handlers(client.puppet)
    while not handlers.complete:
        await handlers.wait_for_complete()


def _without_mention(text: str, name: str) -> str:
    """The text without "@name" (WeChat ends a mention with a quarter-em space)."""
    return re.sub(rf"@{re.escape(name)}(\u2005|\s|$)", "", text).strip()
