"""The WeChat Official Account (公众号) channel: the /wechat/mp callback (DESIGN §7).

WeChat posts each message and waits 5 seconds for the answer, trying three times in all.
The assistant gets 4 of them: a ready answer goes back as the passive reply; a slower one is
sent through the customer-service API when it is ready, and the callback answers "success"
at once, so WeChat neither retries nor shows the customer an error.
"""

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.channels.replay_guard import ReplayGuard
from bot.channels.user_ids import InvalidUserId, chat_user_id
from bot.channels.wechat_crypto import NotText, SignatureError, WechatCrypto, signature_ok
from bot.channels.wechat_mp_api import CustomerServiceApi
from bot.channels.wechat_mp_delivery import CHANNEL, WindowedSender
from bot.channels.wechat_xml import (
    XmlRefused,
    encrypted_part,
    parse_fields,
    read_body,
    to_xml,
)
from bot.outreach.outbox import WindowClosed
from bot.pipeline.assistant import Assistant
from bot.services import Services
from core.messages import Incoming, Reply
from storage.repositories import Repositories

log = logging.getLogger(__name__)

PATH = "/wechat/mp"
PASSIVE_REPLY_SECONDS = 4.0
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_USER_CHARS = 200  # identities.external_id
# Message ids answered through the API, remembered so a retry of one gets no second answer.
ANSWERED_LATER_KEPT = 10_000
# At shutdown, answers still being worked out get this long to go out.
CLOSE_GRACE_SECONDS = 10.0
SUCCESS = "success"


def _joined(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies if reply.text)


def _signed_url(query: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(query.get(name, "") for name in ("timestamp", "nonce", "signature"))


def _message_identity(fields: Mapping[str, str]) -> tuple[str, ...]:
    """The message field for field, in any order and layout: WeChat's retry is the same
    message (the same MsgId, and everything else the same too)."""
    return tuple(part for field in sorted(fields.items()) for part in field)


class OfficialAccountChannel:
    """Translates the Official Account's callbacks into `Incoming` and answers back."""

    dedupes = False  # custom/send has no client message id to drop a repeat by

    def __init__(
        self,
        assistant: Assistant,
        token: str,
        api: CustomerServiceApi,
        crypto: WechatCrypto | None = None,
        passive_reply_seconds: float = PASSIVE_REPLY_SECONDS,
    ) -> None:
        self._assistant = assistant
        self._token = token
        self._api = api
        self._crypto = crypto
        self._passive_reply_seconds = passive_reply_seconds
        self._sender = WindowedSender(api, assistant.sessions, assistant.clock)
        self._replays = ReplayGuard(assistant.sessions, assistant.clock, CHANNEL, MAX_CLOCK_SKEW)
        self._handling: dict[str, asyncio.Task[list[Reply]]] = {}  # by MsgId
        self._handled_as: dict[str, tuple[str, ...]] = {}  # each one's message identity
        self._answered_later: dict[str, None] = {}  # an ordered set of MsgIds
        self._background: set[asyncio.Task[None]] = set()  # late answers, URLs to record

    def mount(self, app: web.Application) -> None:
        """Serve the callback on `app`, and close the API client when it stops."""
        app.router.add_get(PATH, self.verify_url)
        app.router.add_post(PATH, self.receive)
        app.on_cleanup.append(lambda _app: self.close())

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        """Outbox delivery through the customer-service API, within the customer's window.

        custom/send takes no client message id: a repeat would reach the customer twice."""
        await self._sender.deliver(user, text)

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """The scheduler's question: is the customer's 48-hour window open?"""
        return self._sender.may_message(last_heard, now)

    async def close(self) -> None:
        """Let answers still being worked out go out (for a while), then close the client."""
        if self._background:
            _, unfinished = await asyncio.wait(self._background, timeout=CLOSE_GRACE_SECONDS)
            for task in unfinished:
                task.cancel()
        await self._api.close()

    async def verify_url(self, request: web.Request) -> web.Response:
        """GET: WeChat checks the URL; echo `echostr` when the request is signed by it."""
        self._check_fresh(request.query)
        self._check_signature(request.query)
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        """POST: a message or event, in plain or safe (encrypted) mode."""
        query = request.query
        signed_at = self._check_fresh(query)
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        # With a key, WeChat encrypts everything (safe and compatible mode): a plain message
        # then is a forgery by someone who knows only the token.
        if encrypted != (self._crypto is not None):
            raise web.HTTPForbidden(text="message mode does not match the account's")
        if not encrypted:
            self._check_signature(query)
        body = await read_body(request)
        # Signed before parsed: in safe mode the signature covers the Encrypt value, the one
        # thing read from the envelope.
        document = self._decrypt(query, encrypted_part(body)) if encrypted else body
        try:
            fields = parse_fields(document)
        except XmlRefused as refused:
            raise web.HTTPBadRequest(text="not a plain XML message") from refused
        try:
            user = chat_user_id(fields.get("FromUserName", ""))
        except InvalidUserId as invalid:
            raise web.HTTPBadRequest(text=f"FromUserName: {invalid}") from invalid
        if len(user) > MAX_USER_CHARS:
            raise web.HTTPBadRequest(text="FromUserName too long")
        # Safe mode signs the message itself; plain mode only the URL, so it is bound to the
        # message it carried first.
        if not encrypted:
            await self._admit(signed_at, query, fields)
        text = await self._answer(user, fields)
        if text is None:
            return web.Response(text=SUCCESS)
        xml = self._reply_xml(user, fields.get("ToUserName", ""), text)
        if encrypted:
            xml = self._encrypt(xml, query.get("nonce", ""))
        return web.Response(text=xml, content_type="application/xml")

    def _check_fresh(self, query: Mapping[str, str]) -> datetime:
        """When the request was signed; 403 for a timestamp more than MAX_CLOCK_SKEW away
        (an old request replayed)."""
        try:
            sent_at = int(query.get("timestamp", ""))
        except ValueError:
            raise web.HTTPForbidden(text="bad timestamp") from None
        now = self._assistant.clock.now()
        if abs(now.timestamp() - sent_at) > MAX_CLOCK_SKEW.total_seconds():
            raise web.HTTPForbidden(text="timestamp too far from now")
        return datetime.fromtimestamp(sent_at, now.tzinfo)

    async def _admit(
        self, signed_at: datetime, query: Mapping[str, str], fields: Mapping[str, str]
    ) -> None:
        """403 when the URL carried another message before.

        A retry of a message this process is still handling joins it at once, as it did
        before URLs were remembered: the database may be busy with that very message. Its URL
        is recorded meanwhile, before anyone could have read it in a log.
        """
        url, message, msg_id = _signed_url(query), _message_identity(fields), fields.get("MsgId")
        if msg_id in self._handling and self._handled_as.get(msg_id) == message:
            self._in_background(self._record_url(signed_at, url, message))
        elif not await self._replays.admits(signed_at, url, message):
            raise web.HTTPForbidden(text="this signed URL carried another message")

    async def _record_url(
        self, signed_at: datetime, url: tuple[str, ...], message: tuple[str, ...]
    ) -> None:
        try:
            if not await self._replays.admits(signed_at, url, message):
                log.warning("%s: a retry came on a signed URL used for another message", CHANNEL)
        except Exception:
            log.exception("%s: remembering a signed URL failed", CHANNEL)

    def _in_background(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _check_signature(self, query: Mapping[str, str]) -> None:
        parts = (self._token, query.get("timestamp", ""), query.get("nonce", ""))
        if not signature_ok(query.get("signature", ""), *parts):
            raise web.HTTPForbidden(text="bad signature")

    def _decrypt(self, query: Mapping[str, str], encrypted: str) -> str:
        assert self._crypto is not None
        signed = self._crypto.check(
            query.get("msg_signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
            encrypted,
        )
        if not signed:
            raise web.HTTPForbidden(text="bad msg_signature")
        try:
            return self._crypto.decrypt(encrypted)
        except NotText as error:
            raise web.HTTPBadRequest(text="not a UTF-8 message") from error
        except SignatureError as error:
            raise web.HTTPForbidden(text="message not for this account") from error

    def _encrypt(self, xml: str, nonce: str) -> str:
        assert self._crypto is not None
        timestamp = int(self._assistant.clock.now().timestamp())
        encrypted, signature = self._crypto.encrypt(xml, nonce, str(timestamp))
        fields = {"Encrypt": encrypted, "MsgSignature": signature, "TimeStamp": timestamp}
        return to_xml({**fields, "Nonce": nonce})

    def _reply_xml(self, user: str, account: str, text: str) -> str:
        return to_xml(
            {
                "ToUserName": user,
                "FromUserName": account,
                "CreateTime": int(self._assistant.clock.now().timestamp()),
                "MsgType": "text",
                "Content": text,
            }
        )

    async def _answer(self, user: str, fields: Mapping[str, str]) -> str | None:
        """The passive reply's text, or None to answer "success"."""
        kind = fields.get("MsgType", "")
        if kind == "event":
            return await self._on_event(user, fields)
        if kind == "text":
            text, media = fields.get("Content", ""), ()
        elif kind == "image":
            picture = fields.get("PicUrl", "")
            reference = picture if picture.startswith(("http://", "https://")) else ""
            text, media = "", (reference or fields.get("MediaId", ""),)
        else:
            return self._assistant.texts.render("mp_unsupported_message")
        now = self._assistant.clock.now()
        message_id = fields.get("MsgId") or None
        incoming = Incoming(CHANNEL, user, text, now, message_id, tuple(m for m in media if m))
        return await self._reply_in_time(incoming, _message_identity(fields))

    async def _on_event(self, user: str, fields: Mapping[str, str]) -> str | None:
        """Follows are welcomed and unfollows recorded, once each; other events ignored."""
        event = fields.get("Event", "").lower()
        if event not in ("subscribe", "unsubscribe"):
            return None  # menu clicks, location reports…: nothing to answer
        key = f"{user}:{fields.get('CreateTime', '')}:{event}"
        async with self._assistant.sessions() as session, session.begin():
            channels = Repositories.for_session(session).channels
            if not await channels.first_time(CHANNEL, key, self._assistant.clock.now()):
                return None  # WeChat's retry of an event already handled
            await channels.set_active(CHANNEL, user, event == "subscribe")
        return self._assistant.texts.render("mp_welcome") if event == "subscribe" else None

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        """The assistant's answer; a follower who unfollowed and writes again is back."""
        async with self._assistant.sessions() as session:
            repos = Repositories.for_session(session)
            identity = await repos.identities.find(CHANNEL, incoming.user)
            if identity is not None and not identity.active:
                await repos.channels.set_active(CHANNEL, incoming.user, True)
                await session.commit()
        return await self._assistant.handle(incoming)

    async def _reply_in_time(self, incoming: Incoming, message: tuple[str, ...]) -> str | None:
        """The answer if ready within the passive-reply time; else None, and it goes later.

        A retried delivery joins the handling of the first, so the message is handled once;
        once its answer goes through the API, every delivery of it gets "success".
        """
        key = incoming.message_id
        if key is not None and key in self._answered_later:
            return None
        task = self._handling.get(key) if key is not None else None
        if task is None:
            task = asyncio.create_task(self._handle(incoming))
            if key is not None:
                self._handling[key], self._handled_as[key] = task, message
                task.add_done_callback(lambda _task: self._forget_handling(key))
        done, _ = await asyncio.wait({task}, timeout=self._passive_reply_seconds)
        if key is not None and key in self._answered_later:
            return None  # another delivery gave up waiting: the API sends the answer
        if task in done:
            return _joined(task.result()) or None
        if key is not None:
            self._answered_later[key] = None
            if len(self._answered_later) > ANSWERED_LATER_KEPT:
                del self._answered_later[next(iter(self._answered_later))]
        self._in_background(self._answer_later(incoming.user, task))
        return None

    def _forget_handling(self, key: str) -> None:
        self._handling.pop(key, None)
        self._handled_as.pop(key, None)

    async def _answer_later(self, user: str, handling: asyncio.Task[list[Reply]]) -> None:
        try:
            text = _joined(await handling)
            if text:
                await self._sender.deliver(user, text)
        except WindowClosed as closed:
            log.warning("a late answer to %s could not be sent: %s", CHANNEL, closed)
        except Exception:
            log.exception("sending a late answer to %s failed", CHANNEL)


def mp_channel(services: Services) -> OfficialAccountChannel | None:
    """The Official Account channel when its settings are there, else None."""
    settings = services.settings
    if not (settings.mp_token and settings.mp_appid):
        return None
    crypto = None
    if settings.mp_aes_key:
        crypto = WechatCrypto(settings.mp_token, settings.mp_aes_key, settings.mp_appid)
    api = CustomerServiceApi(
        settings.mp_api_base, settings.mp_appid, settings.mp_secret, services.clock
    )
    return OfficialAccountChannel(services.assistant, settings.mp_token, api, crypto)
