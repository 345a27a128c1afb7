"""The web channel: a JSON chat API and the chat page, on the aiohttp server."""

import json
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from bot.channels.user_ids import InvalidUserId, chat_user_id, has_refused_characters
from bot.pipeline.assistant import Assistant
from bot.web.request_address import client_address
from core.clock import Clock
from core.enums import ChannelName
from core.messages import Incoming, ServiceUnavailable
from core.settings import Settings

STATIC = Path(__file__).parent / "web_static"
CHANNEL = ChannelName.WEB
MAX_USER_CHARS = 200
MAX_ID_CHARS = 128
MAX_MEDIA = 9  # images per message, as in a WeChat chat
MAX_MEDIA_CHARS = 500
MAX_MESSAGE_ID = 2**31 - 1  # message ids are 32-bit integers in the database
USER_HEADER = "X-Kefu-User"


def json_response(data: object, status: int = 200) -> web.Response:
    """JSON with Chinese kept readable rather than escaped."""
    return web.json_response(data, status=status, dumps=partial(json.dumps, ensure_ascii=False))


# When the database is unreachable: about how long a restart or failover takes.
RETRY_AFTER_SECONDS = 5


def _error(message: str, status: int = 400) -> web.Response:
    return json_response({"error": message}, status=status)


def web_user_id(raw: object) -> str:
    """The web chat's id in its one form; InvalidUserId when it cannot be one.

    Web ids ignore case: the chat page makes lowercase hex ones, and "ATT2" must not be a
    fresh chat (with fresh verification attempts) beside "att2".
    """
    if not isinstance(raw, str):
        raise InvalidUserId("user is required")
    if len(raw) > MAX_USER_CHARS:
        raise InvalidUserId(f"user is longer than {MAX_USER_CHARS} characters")
    user = chat_user_id(raw, case_insensitive=True)
    if len(user) > MAX_USER_CHARS:  # NFKC may lengthen it
        raise InvalidUserId(f"user is longer than {MAX_USER_CHARS} characters")
    return user


def _is_media_reference(value: object) -> bool:
    """An http(s) link or a plain reference (a file name, a platform media id).

    Other schemes (javascript:, data:, file:) are refused: staff pages will show these as links.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_MEDIA_CHARS:
        return False
    if has_refused_characters(value) or any(ch.isspace() for ch in value):
        return False
    scheme, colon, _ = value.partition(":")
    return not colon or "/" in scheme or scheme.lower() in ("http", "https")


class WebChannel:
    # Delivery is the stored message, recorded once with the row: a repeat shows nothing new.
    dedupes = True

    def __init__(self, assistant: Assistant, clock: Clock, settings: Settings) -> None:
        self._assistant = assistant
        self._clock = clock
        self._settings = settings

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/chat", self.post_message)
        app.router.add_get("/api/chat/messages", self.get_messages)
        app.router.add_get("/", self.index)
        app.router.add_static("/static", STATIC)

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        """Outbox delivery: nothing to push, the stored message is what the customer's page
        fetches from /api/chat/messages (bot.outreach.outbox stores it on success)."""

    async def index(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def post_message(self, request: web.Request) -> web.Response:
        """A customer's message in, the assistant's replies out."""
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error("request body too large", 413)
        try:
            data: Any = json.loads(body)
        # ValueError covers numbers too long to convert; RecursionError absurd nesting.
        except (ValueError, RecursionError):
            return _error("body is not valid JSON")
        if not isinstance(data, dict):
            return _error("body must be a JSON object")
        try:
            user = web_user_id(data.get("user"))
        except InvalidUserId as invalid:
            return _error(str(invalid))
        text = data.get("text")
        if not isinstance(text, str):
            return _error("text must be a string")
        if len(text) > self._settings.max_message_chars:
            return _error(f"text is longer than {self._settings.max_message_chars} characters", 413)
        message_id = data.get("id")
        if message_id is not None:
            if isinstance(message_id, bool) or not isinstance(message_id, str | int):
                return _error("id must be a string")
            message_id = str(message_id).strip() or None
            if message_id is not None and len(message_id) > MAX_ID_CHARS:
                return _error(f"id is longer than {MAX_ID_CHARS} characters")
            if message_id is not None and has_refused_characters(message_id):
                return _error("id contains invalid characters")
        media = data.get("media", [])
        if not isinstance(media, list) or not all(_is_media_reference(m) for m in media):
            return _error(
                f"media must be a list of http(s) links or plain references of up to "
                f"{MAX_MEDIA_CHARS} characters"
            )
        if len(media) > MAX_MEDIA:
            return _error(f"at most {MAX_MEDIA} media references per message")
        incoming = Incoming(
            CHANNEL,
            user,
            text,
            self._clock.now(),
            message_id,
            tuple(m.strip() for m in media),
            address=client_address(request, self._settings.trust_forwarded_for),
        )
        try:
            replies = await self._assistant.handle(incoming)
        except ServiceUnavailable:
            response = _error("service unavailable: the message was not stored, please retry", 503)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return json_response({"replies": [{"text": reply.text} for reply in replies]})

    async def get_messages(self, request: web.Request) -> web.Response:
        """Everything sent to this user after a message id, oldest first."""
        # The chat page sends its id in a header, which no access log records; the documented
        # `?user=` keeps working. Either way the id is percent-encoded as in a URL.
        header = request.headers.get(USER_HEADER)
        try:
            raw = unquote(header, errors="strict") if header else request.query.get("user", "")
        except UnicodeDecodeError:
            return _error(f"{USER_HEADER} is not percent-encoded UTF-8")
        try:
            user = web_user_id(raw)
        except InvalidUserId as invalid:
            return _error(str(invalid))
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            return _error("after must be a whole number")
        if not 0 <= after <= MAX_MESSAGE_ID:
            return _error("after must be a whole number from 0")
        sent = await self._assistant.sent_to(CHANNEL, user, after)
        response = json_response(
            {
                "messages": [
                    {"id": m.id, "text": m.text, "from": m.sender, "time": m.time.isoformat()}
                    for m in sent
                ]
            }
        )
        # One customer's messages: no cache may keep them, let alone give them to another
        # customer asking for the same URL with another id in the header.
        response.headers["Cache-Control"] = "no-store"
        return response
