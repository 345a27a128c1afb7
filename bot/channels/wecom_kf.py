"""WeCom customer service (企业微信 微信客服): the /wecom/kf callback, messages pulled with
sync_msg, answers and outbox rows sent with send_msg.

WeCom's callback only says that something happened (`kf_msg_or_event` with a short-lived
token); the messages are pulled page by page after a cursor kept in the database and saved
after each page, so a restart neither loses nor repeats them. Each customer message is
recorded once (channel_events) before it is answered: one pulled again is not answered again.

WeCom lets the shop send a customer at most 5 messages in the 48 hours after the customer's
last message (answers included); sending is counted per customer in channel_state, and the
customer-service account (open_kfid) they last wrote to is kept for the outbox.

When the shop's people answer in the WeCom client (KEFU_WECOM_HANDOVER_IN_CLIENT), a message
that makes the conversation wait for a person moves the WeCom session to the pool for them,
once per handover, after the bot's answers went out: WeCom refuses send_msg from then on.
"""

import asyncio
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import ClientError, web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.user_ids import InvalidUserId, chat_user_id
from bot.channels.wechat_crypto import NotText, SignatureError, WechatCrypto
from bot.channels.wechat_xml import XmlRefused, encrypted_part, parse_fields, read_body
from bot.channels.wecom_api import KfMessage, WecomApi, WecomApiError
from bot.channels.window import ReplyWindow
from bot.outreach.outbox import WindowClosed
from bot.pipeline.assistant import Assistant
from bot.pipeline.locks import KeyedLocks
from bot.services import Services
from core.clock import Clock
from core.enums import ChannelName, ConversationMode
from core.messages import Incoming
from core.settings import Settings
from storage.repositories import Repositories

log = logging.getLogger(__name__)

CHANNEL = ChannelName.WECOM_KF
PATH = "/wecom/kf"
FROM_CUSTOMER = 3  # sync_msg's origin of what the customer wrote
MAX_CLOCK_SKEW = timedelta(minutes=5)
WINDOW = ReplyWindow(timedelta(hours=48))
WINDOW_MESSAGES = 5
IN_POOL = 2  # session state: waiting in the pool (待接入池) for a person
WAITING_FOR_PERSON = frozenset({ConversationMode.QUEUED, ConversationMode.HUMAN})
MAX_TEXT_BYTES = 2048  # send_msg's limit for text.content


def _cursor_key(open_kfid: str) -> str:
    return f"{CHANNEL}:cursor:{open_kfid}"


def _kfid_key(user: str) -> str:
    return f"{CHANNEL}:kfid:{user}"


def _window_key(user: str) -> str:
    return f"{CHANNEL}:window:{user}"


@dataclass(frozen=True)
class _Window:
    """When the customer last wrote, and how many messages went to them since."""

    heard: datetime
    sent: int = 0

    def closed_because(self, now: datetime) -> str | None:
        if not WINDOW.may_message(self.heard, now):
            return "48 hours passed since the customer's last message"
        if self.sent >= WINDOW_MESSAGES:
            return f"{WINDOW_MESSAGES} messages sent since the customer's last message"
        return None

    def dumps(self) -> str:
        return json.dumps({"heard": self.heard.timestamp(), "sent": self.sent})

    @classmethod
    def loads(cls, value: str) -> "_Window":
        data = json.loads(value)
        return cls(datetime.fromtimestamp(data["heard"], UTC), int(data["sent"]))


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes, cut between characters."""
    pieces: list[str] = []
    start = size = 0
    for index, char in enumerate(text):
        width = len(char.encode("utf-8", "replace"))
        if size + width > limit:
            pieces.append(text[start:index])
            start, size = index, 0
        size += width
    pieces.append(text[start:])
    return pieces


class WecomKfChannel:
    """The channel: `mount` its routes; `stop()` (or the `running` cleanup context) at the end."""

    # Each piece goes with a msgid of its own, the same on every try, but what WeCom answers to a
    # msgid it has seen is not documented (nor whether it refuses the later pieces of a row cut
    # short): a row interrupted mid-delivery is not sent again, as on the Official Account.
    dedupes = False

    def __init__(
        self,
        assistant: Assistant,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._clock = clock
        self._handover_in_client = settings.wecom_handover_in_client
        self._crypto = WechatCrypto(
            settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id
        )
        self._api = WecomApi(
            settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret, clock
        )
        self._pulls: set[asyncio.Task[None]] = set()
        self._pull_locks = KeyedLocks()  # one pull per customer-service account at a time
        self._send_locks = KeyedLocks()  # per customer: two sends never take one last place

    def mount(self, app: web.Application) -> None:
        """Add the callback routes (GET: URL check, POST: events) at /wecom/kf, and stop
        pulling when the application stops."""
        app.router.add_get(PATH, self.verify_url)
        app.router.add_post(PATH, self.receive)
        app.on_cleanup.append(lambda _app: self.stop())

    async def stop(self) -> None:
        """Cancel the pulls under way (their saved cursors stay) and close the connections."""
        for task in self._pulls:
            task.cancel()
        await asyncio.gather(*self._pulls, return_exceptions=True)
        await self._api.close()

    async def settled(self) -> None:
        """Wait until the pulls under way are done."""
        while self._pulls:
            await asyncio.gather(*self._pulls)

    # The callback.

    async def verify_url(self, request: web.Request) -> web.Response:
        """WeCom's URL check: answer the decrypted echostr."""
        echostr = request.query.get("echostr", "")
        if not self._signed(request.query, echostr):
            raise web.HTTPForbidden(text="bad signature")
        try:
            return web.Response(text=self._crypto.decrypt(echostr))
        except SignatureError as error:
            raise web.HTTPForbidden(text="bad echostr") from error

    async def receive(self, request: web.Request) -> web.Response:
        """An event: answer `success` at once, pull the messages in the background."""
        # Nothing of an unsigned body is parsed: only its Encrypt value is looked at.
        encrypted = encrypted_part(await read_body(request))
        if not encrypted or not self._signed(request.query, encrypted):
            raise web.HTTPForbidden(text="bad signature")
        try:
            event = parse_fields(self._crypto.decrypt(encrypted))
        except (NotText, XmlRefused) as error:
            raise web.HTTPBadRequest(text="bad XML") from error
        except SignatureError as error:
            raise web.HTTPForbidden(text="bad message") from error
        open_kfid = event.get("OpenKfId", "")
        if event.get("Event") == "kf_msg_or_event" and open_kfid:
            task = asyncio.create_task(self._pull(event.get("Token", ""), open_kfid))
            self._pulls.add(task)
            task.add_done_callback(self._pulls.discard)
        return web.Response(text="success")

    def _signed(self, query: Mapping[str, str], encrypted: str) -> bool:
        """A valid msg_signature with a timestamp close to now (an old one is a replay)."""
        signature = query.get("msg_signature", "")
        timestamp = query.get("timestamp", "")
        nonce = query.get("nonce", "")
        # A dozen digits reach far past any real time, and stay a cheap number to convert.
        if not (signature and nonce and timestamp.isdigit() and len(timestamp) <= 12):
            return False
        skew = abs(self._clock.now().timestamp() - int(timestamp))
        if skew > MAX_CLOCK_SKEW.total_seconds():
            return False
        return self._crypto.check(signature, timestamp, nonce, encrypted)

    # Pulling and answering.

    async def _pull(self, token: str, open_kfid: str) -> None:
        try:
            async with self._pull_locks.hold(open_kfid):
                await self.pull(token, open_kfid)
        except Exception:  # the next callback pulls again from the saved cursor
            log.exception("pulling WeCom customer-service messages for %s failed", open_kfid)

    async def pull(self, token: str, open_kfid: str) -> None:
        """Take every message after the saved cursor, saving the cursor after each page."""
        cursor = await self._state(_cursor_key(open_kfid)) or ""
        while True:
            page = await self._api.sync_msg(cursor, token, open_kfid)
            for message in page.messages:
                await self._take(message)
            if page.next_cursor:
                await self._set_state(_cursor_key(open_kfid), page.next_cursor)
            if not page.has_more:
                return
            if page.next_cursor in ("", cursor):
                log.error("WeCom says there is more for %s but gave no new cursor", open_kfid)
                return
            cursor = page.next_cursor

    async def _take(self, message: KfMessage) -> None:
        """Answer a customer's message the first time it is seen; others are not ours."""
        if message.origin != FROM_CUSTOMER or not (message.msgid and message.external_userid):
            return
        try:
            user = chat_user_id(message.external_userid)
        except InvalidUserId:
            log.warning("a WeCom message with an unusable external_userid was skipped")
            return
        heard = (
            datetime.fromtimestamp(message.send_time, UTC)
            if message.send_time > 0
            else self._clock.now()
        )
        hand_over = False
        if message.msgtype == "text":
            # The assistant stores it (once per msgid) before it is recorded as seen here: after
            # a crash in between, the next pull gets the stored answer back and sends it.
            incoming = Incoming(CHANNEL, user, message.text, heard, message.msgid)
            answers, hand_over = await self._answer(incoming)
        else:
            answers = [self._assistant.texts.render("wecom_kf_not_text")]
        if not await self._first_time(message, user, heard):
            return  # pulled before, and answered then
        # Recorded as seen: an answer or handover that fails now is logged, not tried again by
        # a later pull.
        for text in answers:
            try:
                await self._send(user, message.open_kfid, text)
            except (WindowClosed, WecomApiError, ClientError, TimeoutError) as error:
                log.warning("answering a WeCom customer failed: %s", error)
        if hand_over:  # after the answers: WeCom refuses send_msg once the session is moved
            try:
                await self.hand_to_person(user)
            except (WecomApiError, ClientError, TimeoutError) as error:
                log.warning("handing a WeCom customer to the shop's people failed: %s", error)

    async def _answer(self, incoming: Incoming) -> tuple[list[str], bool]:
        """The answers to a text message, and whether the WeCom session is to go to the pool.

        It is when the shop's people answer in the WeCom client and this message made the
        conversation wait for a person: the messages after it find it waiting already, so one
        handover moves the session once.
        """
        if not self._handover_in_client:
            return [reply.text for reply in await self._assistant.handle(incoming)], False
        waited = await self._waits_for_person(incoming.user)
        answers = [reply.text for reply in await self._assistant.handle(incoming)]
        return answers, not waited and await self._waits_for_person(incoming.user)

    async def _waits_for_person(self, user: str) -> bool:
        """Whether the customer's conversation is queued for a person or with one."""
        async with self._sessions() as session:
            repos = Repositories.for_session(session)
            identity = await repos.identities.find(CHANNEL, user)
            if identity is None:
                return False
            # Read only: a conversation this would start is rolled back with the session.
            conversation = await repos.conversations.for_identity(identity.id, self._clock.now())
            return conversation.mode in WAITING_FOR_PERSON

    async def _first_time(self, message: KfMessage, user: str, heard: datetime) -> bool:
        """Record the message; the first time, it opens the customer's window anew."""
        async with self._send_locks.hold(user), self._sessions() as session, session.begin():
            channels = Repositories.for_session(session).channels
            now = self._clock.now()
            if not await channels.first_time(CHANNEL, message.msgid, now):
                return False
            await channels.set_state(_kfid_key(user), message.open_kfid, now)
            await channels.set_state(_window_key(user), _Window(heard).dumps(), now)
            return True

    # Sending.

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """The scheduler's question: is the 48-hour window still open?"""
        return WINDOW.may_message(last_heard, now)

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        """Outbox delivery; WindowClosed when WeCom will not take messages for `user` now.

        Each piece goes with a msgid made from `key`, the same on every try of the row."""
        open_kfid = await self._state(_kfid_key(user))
        if open_kfid is None:
            raise WindowClosed("the customer never wrote to the shop's WeCom account")
        await self._send(user, open_kfid, text, key)

    async def hand_to_person(self, user: str) -> bool:
        """Put the customer's WeCom session in the pool (待接入池) for the shop's people.

        From then on only a person in the WeCom client can write to the customer: send_msg
        is refused (95018). False when the customer never wrote.
        """
        open_kfid = await self._state(_kfid_key(user))
        if open_kfid is None:
            return False
        await self._api.trans_state(open_kfid, user, IN_POOL)
        return True

    async def _send(self, user: str, open_kfid: str, text: str, key: str = "") -> None:
        """Send within the window, counting each message; WindowClosed when it is shut."""
        async with self._send_locks.hold(user):
            for number, piece in enumerate(split_text(text)):
                stored = await self._state(_window_key(user))
                if stored is None:
                    raise WindowClosed("the customer never wrote")
                window = _Window.loads(stored)
                reason = window.closed_because(self._clock.now())
                if reason is not None:
                    raise WindowClosed(reason)
                try:
                    msgid = client_msgid(key, number) if key else ""
                    await self._api.send_text(open_kfid, user, piece, msgid)
                except WecomApiError as error:
                    if error.refusal is None:
                        raise
                    raise WindowClosed(error.refusal) from error
                sent = _Window(window.heard, window.sent + 1)
                await self._set_state(_window_key(user), sent.dumps())

    async def _state(self, key: str) -> str | None:
        async with self._sessions() as session:
            return await Repositories.for_session(session).channels.state(key)

    async def _set_state(self, key: str, value: str) -> None:
        async with self._sessions() as session, session.begin():
            await Repositories.for_session(session).channels.set_state(
                key, value, self._clock.now()
            )


def client_msgid(key: str, piece: int) -> str:
    """A msgid for one piece of an outbox row: the same on every try, unique in the shop's
    account, and of the form WeCom takes (at most 32 of [0-9a-zA-Z_-])."""
    return hashlib.blake2b(f"{key}#{piece}".encode(), digest_size=16).hexdigest()


def wecom_kf_channel(services: Services) -> WecomKfChannel | None:
    """The channel when KEFU_WECOM_CORP_ID, _SECRET, _TOKEN and _AES_KEY are all set."""
    settings = services.settings
    required = (
        settings.wecom_corp_id,
        settings.wecom_secret,
        settings.wecom_token,
        settings.wecom_aes_key,
    )
    if not all(required):
        return None
    return WecomKfChannel(services.assistant, services.sessions, services.clock, settings)
