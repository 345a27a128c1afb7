"""A fake Wechaty puppet service: the gRPC routes the real Wechaty client uses, served on
127.0.0.1 with grpclib on the message types that wechaty-grpc ships, plus what a test needs
to play the WeChat side (log in, contacts write, see what the bot sent)."""

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream
from wechaty_grpc.wechaty.puppet import (
    ContactPayloadRequest,
    ContactPayloadResponse,
    ContactType,  # for tests: the kinds of contact
    EventRequest,
    EventResponse,
    EventType,
    MessagePayloadRequest,
    MessagePayloadResponse,
    MessageSendTextRequest,
    MessageSendTextResponse,
    RoomPayloadRequest,
    RoomPayloadResponse,
    StartRequest,
    StartResponse,
    StopRequest,
    StopResponse,
)

# Message types as the puppet services send them: the TypeScript enum's values, which the
# Python client maps to its own (its protobuf enum differs: there 6 is text, here an image).
TEXT = 7
IMAGE = 6
ATTACHMENT = 1
VIDEO = 15
LOCATION = 8

Payload = TypeVar("Payload")

WAIT_SECONDS = 5  # for what the client does in response; a few milliseconds when it works


@dataclass(frozen=True)
class SentText:
    """A text the client asked the puppet to send."""

    conversation_id: str  # a contact's or a room's id
    text: str
    mention_ids: tuple[str, ...]


class FakePuppetService:
    """The puppet side of a WeChat account logged in as `bot_id`."""

    def __init__(self, bot_id: str = "wxid_shop", bot_name: str = "小店客服") -> None:
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.calls: list[tuple[str, str]] = []  # the routes called, with the id asked about
        self.sent: asyncio.Queue[SentText] = asyncio.Queue()
        self._contacts: dict[str, ContactPayloadResponse] = {}
        self._rooms: dict[str, RoomPayloadResponse] = {}
        self._messages: dict[str, MessagePayloadResponse] = {}
        self._streams: list[asyncio.Queue[EventResponse | None]] = []
        self._called = asyncio.Condition()
        self.endpoint = ""
        self.add_contact(bot_id, bot_name)

    # --- the WeChat side, for tests ---------------------------------------------------------

    def add_contact(
        self, contact_id: str, name: str, kind: ContactType = ContactType.CONTACT_TYPE_PERSONAL
    ) -> None:
        self._contacts[contact_id] = ContactPayloadResponse(
            id=contact_id, name=name, type=kind, friend=True
        )

    def add_room(self, room_id: str, topic: str, member_ids: Sequence[str]) -> None:
        self._rooms[room_id] = RoomPayloadResponse(
            id=room_id, topic=topic, owner_id=member_ids[0], member_ids=list(member_ids)
        )

    def routes(self) -> list[str]:
        """The routes called so far, in order."""
        return [route for route, _about in self.calls]

    async def called(self, route: str, times: int = 1, *, about: str | None = None) -> None:
        """Return once the client has called `route` (e.g. "Event") `times` times in all,
        about the id `about` if given."""

        def count() -> int:
            return sum(1 for r, a in self.calls if r == route and about in (None, a))

        async with asyncio.timeout(WAIT_SECONDS), self._called:
            await self._called.wait_for(lambda: count() >= times)

    def log_in(self) -> None:
        """The account is logged in (its owner scanned the QR code)."""
        self._emit(EventType.EVENT_TYPE_LOGIN, {"contactId": self.bot_id})

    def write(
        self,
        from_id: str,
        text: str = "",
        *,
        room_id: str = "",
        to_id: str = "",
        mention_ids: Sequence[str] = (),
        kind: int = TEXT,
    ) -> str:
        """A message arrives from a contact, to the account unless `to_id` or `room_id` say
        otherwise; its message id."""
        message_id = self._store(
            from_id=from_id,
            to_id="" if room_id else to_id or self.bot_id,
            room_id=room_id,
            text=text,
            kind=kind,
            mention_ids=mention_ids,
        )
        self._emit(EventType.EVENT_TYPE_MESSAGE, {"messageId": message_id})
        return message_id

    def resend(self, message_id: str) -> None:
        """The same message event once more, as a service does after a reconnection."""
        self._emit(EventType.EVENT_TYPE_MESSAGE, {"messageId": message_id})

    def end_streams(self) -> None:
        """End every open event stream, as a service does when it restarts."""
        for stream in self._streams:
            stream.put_nowait(None)

    async def next_sent(self) -> SentText:
        """The next text the client sent."""
        async with asyncio.timeout(WAIT_SECONDS):
            return await self.sent.get()

    @asynccontextmanager
    async def serving(self) -> AsyncIterator["FakePuppetService"]:
        """Serve on a free port of 127.0.0.1 (see `endpoint`) until the block ends."""
        # IPPROTO_TCP named, or asyncio leaves Nagle's algorithm on: 40 ms more per answer.
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listening.bind(("127.0.0.1", 0))
        host, port = listening.getsockname()
        self.endpoint = f"{host}:{port}"
        server = Server([self])
        await server.start(sock=listening)
        try:
            yield self
        finally:
            self.end_streams()
            server.close()
            await server.wait_closed()

    # --- the gRPC service -------------------------------------------------------------------

    def __mapping__(self) -> dict[str, Handler]:
        def unary(
            answer: Callable[[Any], Awaitable[Any]], request_type: type, reply_type: type
        ) -> Handler:
            async def handle(stream: Stream[Any, Any]) -> None:
                request = await stream.recv_message()
                await stream.send_message(await answer(request))

            return Handler(handle, Cardinality.UNARY_UNARY, request_type, reply_type)

        return {
            "/wechaty.Puppet/Start": unary(self._start, StartRequest, StartResponse),
            "/wechaty.Puppet/Stop": unary(self._stop, StopRequest, StopResponse),
            "/wechaty.Puppet/Event": Handler(
                self._event, Cardinality.UNARY_STREAM, EventRequest, EventResponse
            ),
            "/wechaty.Puppet/ContactPayload": unary(
                self._contact_payload, ContactPayloadRequest, ContactPayloadResponse
            ),
            "/wechaty.Puppet/RoomPayload": unary(
                self._room_payload, RoomPayloadRequest, RoomPayloadResponse
            ),
            "/wechaty.Puppet/MessagePayload": unary(
                self._message_payload, MessagePayloadRequest, MessagePayloadResponse
            ),
            "/wechaty.Puppet/MessageSendText": unary(
                self._message_send_text, MessageSendTextRequest, MessageSendTextResponse
            ),
        }

    async def _start(self, _request: StartRequest) -> StartResponse:
        await self._record("Start")
        return StartResponse()

    async def _stop(self, _request: StopRequest) -> StopResponse:
        await self._record("Stop")
        return StopResponse()

    async def _event(self, stream: Stream[EventRequest, EventResponse]) -> None:
        await stream.recv_message()
        events: asyncio.Queue[EventResponse | None] = asyncio.Queue()
        self._streams.append(events)
        await self._record("Event")
        try:
            while (event := await events.get()) is not None:
                await stream.send_message(event)
        finally:
            self._streams.remove(events)

    async def _contact_payload(self, request: ContactPayloadRequest) -> ContactPayloadResponse:
        await self._record("ContactPayload", request.id)
        return _known(self._contacts, request.id)

    async def _room_payload(self, request: RoomPayloadRequest) -> RoomPayloadResponse:
        await self._record("RoomPayload", request.id)
        return _known(self._rooms, request.id)

    async def _message_payload(self, request: MessagePayloadRequest) -> MessagePayloadResponse:
        await self._record("MessagePayload", request.id)
        return _known(self._messages, request.id)

    async def _message_send_text(self, request: MessageSendTextRequest) -> MessageSendTextResponse:
        await self._record("MessageSendText", request.conversation_id)
        in_room = request.conversation_id in self._rooms
        # The client reads back what it sent, so the sent message is stored like any other.
        message_id = self._store(
            from_id=self.bot_id,
            to_id="" if in_room else request.conversation_id,
            room_id=request.conversation_id if in_room else "",
            text=request.text,
            kind=TEXT,
            mention_ids=request.mentonal_ids,
        )
        self.sent.put_nowait(
            SentText(request.conversation_id, request.text, tuple(request.mentonal_ids))
        )
        return MessageSendTextResponse(id=message_id)

    # --- helpers ----------------------------------------------------------------------------

    async def _record(self, route: str, about: str = "") -> None:
        async with self._called:
            self.calls.append((route, about))
            self._called.notify_all()

    def _store(
        self,
        *,
        from_id: str,
        to_id: str,
        room_id: str,
        text: str,
        kind: int,
        mention_ids: Sequence[str],
    ) -> str:
        # Unique across tests: the client remembers the message ids it saw, process-wide.
        message_id = f"msg-{uuid.uuid4().hex}"
        self._messages[message_id] = MessagePayloadResponse(
            id=message_id,
            text=text,
            timestamp=1_700_000_000,
            type=kind,
            from_id=from_id,
            room_id=room_id,
            to_id=to_id,
            mention_ids=list(mention_ids),
        )
        return message_id

    def _emit(self, kind: EventType, payload: dict[str, str]) -> None:
        assert self._streams, "no client is listening"
        event = EventResponse(type=kind, payload=json.dumps(payload))
        for stream in self._streams:
            stream.put_nowait(event)


def _known(found: dict[str, Payload], key: str) -> Payload:
    if key not in found:
        raise GRPCError(Status.NOT_FOUND, f"no such id: {key}")
    return found[key]
