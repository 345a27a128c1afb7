"""The Official Account channel as WeChat uses it: signed callbacks in plain and safe mode,
passive replies, late answers through the customer-service API fake, and the 48-hour window."""

import asyncio
import io
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.wechat_crypto import WechatCrypto, sha1_signature
from bot.channels.wechat_mp import PATH, OfficialAccountChannel, mp_channel
from bot.channels.wechat_mp_api import CustomerServiceApi
from bot.channels.wechat_xml import MAX_BODY_BYTES, parse_fields, to_xml
from bot.outreach.outbox import INTERRUPTED, LEASE, WindowClosed, deliver_outbox
from bot.pipeline.assistant import Assistant
from bot.pipeline.router import Router
from bot.services import Services
from core.messages import Reply
from handlers.context import Context
from storage.models import Identity, Message, OutboxMessage, SignedRequest
from storage.repositories import Repositories
from tests.support.channels.fake_wechat_api import APPID, SECRET, FakeWechatApi, SentText
from tests.support.channels.killed_delivery import deliver_and_die
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.hostile_xml import BILLION_LAUGHS, EXTERNAL_ENTITY, UNREADABLE_XML

TOKEN = "mp-callback-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0123456789ab"  # the account's original id, WeChat's ToUserName
USER = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


def text_message(text: str, msg_id: int, user: str = USER) -> dict[str, str | int]:
    return {
        "ToUserName": ACCOUNT,
        "FromUserName": user,
        "CreateTime": 1764385200,
        "MsgType": "text",
        "Content": text,
        "MsgId": msg_id,
    }


def event(name: str, create_time: int = 1764385200, user: str = USER) -> dict[str, str | int]:
    return {
        "ToUserName": ACCOUNT,
        "FromUserName": user,
        "CreateTime": create_time,
        "MsgType": "event",
        "Event": name,
    }


@dataclass
class WechatServer:
    """WeChat's side of the callback: signs (and in safe mode encrypts) what it posts."""

    client: TestClient
    channel: OfficialAccountChannel
    clock: FakeClock
    crypto: WechatCrypto | None
    _nonces: Iterator[int] = field(default_factory=lambda: itertools.count(1372623149))

    def signed(self, **overrides: str) -> dict[str, str]:
        """A freshly signed query string, with some parameters replaced."""
        timestamp, nonce = str(int(self.clock.now().timestamp())), str(next(self._nonces))
        query = {
            "signature": sha1_signature(TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": USER,
        }
        return query | overrides

    async def post(
        self, fields: dict[str, str | int], query: dict[str, str] | None = None, **overrides: str
    ) -> ClientResponse:
        """Post a message or event as WeChat does in the channel's mode, on a freshly signed
        URL unless `query` is one signed before."""
        query, body = dict(query or self.signed()), to_xml(fields)
        if self.crypto is not None:
            encrypted, signature = self.crypto.encrypt(body, query["nonce"], query["timestamp"])
            query |= {"encrypt_type": "aes", "msg_signature": signature}
            body = to_xml({"ToUserName": ACCOUNT, "Encrypt": encrypted})
        return await self.client.post(PATH, params=query | overrides, data=body.encode())

    async def reply(
        self, fields: dict[str, str | int], query: dict[str, str] | None = None
    ) -> str | None:
        """The passive reply's text; None when the callback answered "success"."""
        response = await self.post(fields, query)
        assert response.status == 200, await response.text()
        body = await response.text()
        if body == "success":
            return None
        answer = parse_fields(body.encode())
        if self.crypto is not None:
            assert self.crypto.check(
                answer["MsgSignature"], answer["TimeStamp"], answer["Nonce"], answer["Encrypt"]
            )
            answer = parse_fields(self.crypto.decrypt(answer["Encrypt"]).encode())
        assert answer["ToUserName"] == fields["FromUserName"]
        assert (answer["FromUserName"], answer["MsgType"]) == (ACCOUNT, "text")
        return answer["Content"]

    async def say(self, text: str, msg_id: int, user: str = USER) -> str | None:
        return await self.reply(text_message(text, msg_id, user))


Connect = Callable[..., Awaitable[WechatServer]]


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[FakeWechatApi]:
    fake = FakeWechatApi(clock)
    async with TestServer(fake.app()) as server:
        fake.base_url = str(server.make_url(""))
        yield fake


@pytest.fixture
async def connect(
    services: Services, clock: FakeClock, api: FakeWechatApi
) -> AsyncIterator[Connect]:
    """Mount a channel (plain or safe mode, any assistant) on its own server."""
    clients: list[TestClient] = []

    async def make(
        *, safe: bool = False, assistant: Assistant | None = None, passive_reply_seconds: float = 4
    ) -> WechatServer:
        crypto = WechatCrypto(TOKEN, AES_KEY, APPID) if safe else None
        channel = OfficialAccountChannel(
            assistant or services.assistant,
            TOKEN,
            CustomerServiceApi(api.base_url, APPID, SECRET, clock),
            crypto,
            passive_reply_seconds,
        )
        app = web.Application()
        channel.mount(app)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return WechatServer(client, channel, clock, crypto)

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def wechat(connect: Connect) -> WechatServer:
    return await connect()


@pytest.fixture
async def safe(connect: Connect) -> WechatServer:
    return await connect(safe=True)


async def incoming(services: Services, user: str = USER) -> list[Message]:
    """The customer's messages stored from the Official Account."""
    async with services.sessions() as session:
        found = await session.scalars(
            select(Message)
            .join(Identity, Identity.id == Message.identity_id)
            .where(Identity.channel == "wechat_mp", Identity.external_id == user)
            .where(Message.direction == "in")
            .order_by(Message.id)
        )
        return list(found)


async def outgoing_count(services: Services, user: str = USER) -> int:
    async with services.sessions() as session:
        found = await session.scalars(
            select(Message.id)
            .join(Identity, Identity.id == Message.identity_id)
            .where(Identity.channel == "wechat_mp", Identity.external_id == user)
            .where(Message.direction == "out")
        )
        return len(found.all())


async def identity(services: Services, user: str = USER) -> Identity:
    async with services.sessions() as session:
        found = await Repositories.for_session(session).identities.find("wechat_mp", user)
        assert found is not None
        return found


# URL verification


async def test_url_verification_echoes_echostr_when_wechat_signed_it(wechat: WechatServer) -> None:
    response = await wechat.client.get(PATH, params=wechat.signed(echostr="5837397520665436492"))
    assert response.status == 200
    assert await response.text() == "5837397520665436492"


@pytest.mark.parametrize(
    "forged", [{"signature": "0" * 40}, {"signature": ""}, {"nonce": "another"}]
)
async def test_url_verification_with_a_forged_signature_is_refused(
    wechat: WechatServer, forged: dict[str, str]
) -> None:
    query = wechat.signed(echostr="5837397520665436492") | forged
    response = await wechat.client.get(PATH, params=query)
    assert response.status == 403
    assert "5837397520665436492" not in await response.text()


# Messages and answers


async def test_a_text_message_gets_the_assistants_answer_as_the_passive_reply(
    wechat: WechatServer, services: Services, api: FakeWechatApi, chat: Chat
) -> None:
    answer = await wechat.say("你们几点上班", 6054768590064713728)

    assert answer == await chat.ask("你们几点上班")  # what the web chat would answer
    (stored,) = await incoming(services)
    assert (stored.text, stored.external_id) == ("你们几点上班", "6054768590064713728")
    assert api.sent == []


async def test_safe_mode_messages_are_decrypted_and_the_reply_encrypted(
    safe: WechatServer, services: Services, chat: Chat
) -> None:
    response = await safe.post(text_message("退货要多久到账", 1))
    body = await response.text()
    assert "退货" not in body and "<Encrypt>" in body  # nothing readable on the wire

    assert await safe.say("退货要多久到账", 2) == await chat.ask("退货要多久到账")
    assert [m.text for m in await incoming(services)] == ["退货要多久到账"] * 2


async def test_an_image_is_kept_as_a_media_reference(
    wechat: WechatServer, services: Services
) -> None:
    picture = "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0"
    image = text_message("", 7) | {"MsgType": "image", "PicUrl": picture, "MediaId": "media-7"}
    del image["Content"]

    answer = await wechat.reply(image)

    assert answer == services.assistant.texts.render("smalltalk_media")
    (stored,) = await incoming(services)
    assert stored.media == [picture]


async def test_other_message_kinds_get_a_polite_reply_and_are_not_stored(
    wechat: WechatServer, services: Services
) -> None:
    voice = text_message("", 8) | {"MsgType": "voice", "MediaId": "media-8", "Format": "amr"}

    assert await wechat.reply(voice) == services.assistant.texts.render("mp_unsupported_message")
    assert await incoming(services) == []


async def test_a_message_sent_three_times_is_handled_once_and_answered_the_same(
    wechat: WechatServer, services: Services, api: FakeWechatApi
) -> None:
    answers = [await wechat.say("怎么退货", 4561255354251345929) for _ in range(3)]

    assert answers[0] and answers == [answers[0]] * 3
    assert len(await incoming(services)) == 1
    replies_after_first = await outgoing_count(services)
    await wechat.say("怎么退货", 4561255354251345929)
    assert await outgoing_count(services) == replies_after_first
    assert api.sent == []


async def test_three_simultaneous_deliveries_are_handled_once(
    wechat: WechatServer, services: Services
) -> None:
    answers = await asyncio.gather(*(wechat.say("运费谁出", 99) for _ in range(3)))

    assert answers[0] and list(answers) == [answers[0]] * 3
    assert len(await incoming(services)) == 1


@dataclass
class SlowRule:
    """Answers everything, but only once the test lets it."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    name: str = "slow"
    interrupts_dialogs: bool = False
    calls: int = 0

    async def match(self, ctx: Context) -> bool:
        return True

    async def handle(self, ctx: Context, found: Any) -> list[Reply]:
        self.calls += 1
        await self.go.wait()
        return [Reply("让您久等啦～"), Reply("订单已经发货了")]


async def test_a_slow_answer_goes_through_the_customer_service_api_once(
    connect: Connect, services: Services, api: FakeWechatApi
) -> None:
    slow = SlowRule()
    assistant = replace(services.assistant, router=Router([], [], slow))
    wechat = await connect(assistant=assistant, passive_reply_seconds=0.05)

    # "success" to both: WeChat stops waiting, and the second delivery is not handled again.
    assert await asyncio.gather(*(wechat.say("我的快递呢", 31) for _ in range(2))) == [None] * 2
    assert await wechat.say("我的快递呢", 31) is None  # WeChat's retry while still handling
    # The handling goes on after the short passive wait; on a busy machine it may not have
    # reached the rule yet.
    for _ in range(1000):
        if slow.calls:
            break
        await asyncio.sleep(0.01)
    assert slow.calls == 1 and api.sent == []

    slow.go.set()
    assert await api.next_sent() == SentText(USER, "让您久等啦～\n订单已经发货了")
    assert await wechat.say("我的快递呢", 31) is None  # a late retry gets no second answer
    await wechat.channel.close()  # waits for the late answer's bookkeeping
    assert len(api.sent) == 1 and len(await incoming(services)) == 1


async def test_a_retry_joining_a_slow_answer_binds_its_signed_url_too(
    connect: Connect, services: Services, api: FakeWechatApi
) -> None:
    slow = SlowRule()
    assistant = replace(services.assistant, router=Router([], [], slow))
    wechat = await connect(assistant=assistant, passive_reply_seconds=0.05)
    assert await wechat.say("我的快递呢", 33) is None
    retry_url = wechat.signed()
    assert await wechat.reply(text_message("我的快递呢", 33), retry_url) is None

    slow.go.set()
    assert (await api.next_sent()).text
    await wechat.channel.close()  # waits for the retry's URL to be remembered
    stranger = text_message("我要退款", 34, user="o_stranger")
    assert (await wechat.post(stranger, retry_url)).status == 403
    assert await incoming(services, "o_stranger") == []


# Refusals


async def test_a_forged_or_missing_signature_is_refused_and_nothing_stored(
    wechat: WechatServer, services: Services
) -> None:
    message = text_message("你好", 41)
    assert (await wechat.post(message, signature="0" * 40)).status == 403
    assert (await wechat.post(message, signature="")).status == 403
    assert (await wechat.post(message, nonce="changed")).status == 403
    assert await incoming(services) == []


async def test_safe_mode_refuses_forged_signatures_and_other_apps_messages(
    safe: WechatServer, services: Services
) -> None:
    message = text_message("你好", 42)
    assert (await safe.post(message, msg_signature="0" * 40)).status == 403
    assert (await safe.post(message, msg_signature="")).status == 403

    other_app = replace(safe, crypto=WechatCrypto(TOKEN, AES_KEY, "wx0000000000000000"))
    assert (await other_app.post(message)).status == 403
    other_key = replace(safe, crypto=WechatCrypto(TOKEN, AES_KEY[::-1], APPID))
    assert (await other_key.post(message)).status == 403
    assert await incoming(services) == []


async def test_messages_in_the_other_mode_than_configured_are_refused(
    wechat: WechatServer, safe: WechatServer, services: Services
) -> None:
    encrypting = replace(wechat, crypto=WechatCrypto(TOKEN, AES_KEY, APPID))
    assert (await encrypting.post(text_message("你好", 43))).status == 403
    # Signed with the token alone: whoever knows it must not get past safe mode.
    plain = replace(safe, crypto=None)
    assert (await plain.post(text_message("你好", 44))).status == 403
    assert await incoming(services) == []


@pytest.mark.parametrize(
    "skew", [timedelta(minutes=-5, seconds=-1), timedelta(minutes=5, seconds=1)]
)
async def test_a_timestamp_more_than_five_minutes_off_is_refused(
    wechat: WechatServer, services: Services, clock: FakeClock, skew: timedelta
) -> None:
    timestamp, nonce = str(int((clock.now() + skew).timestamp())), "5"
    signed = {"timestamp": timestamp, "nonce": nonce}
    signed["signature"] = sha1_signature(TOKEN, timestamp, nonce)

    assert (await wechat.post(text_message("你好", 44), **signed)).status == 403
    response = await wechat.client.get(PATH, params=signed | {"echostr": "1"})
    assert response.status == 403
    assert await incoming(services) == []


async def test_a_request_replayed_later_is_refused(
    safe: WechatServer, services: Services, clock: FakeClock
) -> None:
    query = safe.signed()
    assert safe.crypto is not None
    encrypted, signature = safe.crypto.encrypt(
        to_xml(text_message("你好", 45)), query["nonce"], query["timestamp"]
    )
    query |= {"encrypt_type": "aes", "msg_signature": signature}
    body = to_xml({"ToUserName": ACCOUNT, "Encrypt": encrypted}).encode()
    assert (await safe.client.post(PATH, params=query, data=body)).status == 200

    clock.advance(minutes=6)
    assert (await safe.client.post(PATH, params=query, data=body)).status == 403
    assert len(await incoming(services)) == 1


async def test_a_signed_url_used_again_for_another_message_is_refused(
    wechat: WechatServer, services: Services
) -> None:
    url = wechat.signed()
    assert await wechat.reply(text_message("你们几点上班", 51), url)

    stranger = "o_someone_who_read_the_url_in_a_log"
    replays = [
        text_message("帮我查一下订单 20261128001", 52, user=stranger),
        text_message("我要退款", 53),  # as the same customer, another message
        text_message("我要退款", 51),  # the same message id with other words
        event("unsubscribe"),
    ]
    for replayed in replays:
        assert (await wechat.post(replayed, url)).status == 403
    assert await incoming(services, stranger) == []
    assert [m.text for m in await incoming(services)] == ["你们几点上班"]
    assert (await identity(services)).active


async def test_wechat_retrying_on_the_same_signed_url_gets_the_same_answer_once(
    wechat: WechatServer, services: Services
) -> None:
    url = wechat.signed()
    answers = [await wechat.reply(text_message("怎么退货", 61), url) for _ in range(3)]

    assert answers[0] and answers == [answers[0]] * 3
    assert len(await incoming(services)) == 1
    # An event retried on its URL: welcomed once, the retries get "success".
    follow = wechat.signed()
    welcome = services.assistant.texts.render("mp_welcome")
    assert await wechat.reply(event("subscribe", 1764385300), follow) == welcome
    assert await wechat.reply(event("subscribe", 1764385300), follow) is None


async def test_every_bot_process_knows_the_signed_urls_used_on_another(
    connect: Connect, services: Services
) -> None:
    first, second = await connect(), await connect()
    url = first.signed()
    answer = await first.reply(text_message("运费谁出", 71), url)

    assert (await second.post(text_message("我要退款", 72), url)).status == 403
    assert await second.reply(text_message("运费谁出", 71), url) == answer
    assert [m.text for m in await incoming(services)] == ["运费谁出"]


async def test_signed_urls_are_forgotten_once_too_old_to_be_accepted(
    wechat: WechatServer, services: Services, clock: FakeClock
) -> None:
    for n in range(3):
        await wechat.say("你好", 80 + n)
    clock.advance(minutes=11)
    await wechat.say("你好", 90)

    async with services.sessions() as session:
        kept = (await session.scalars(select(SignedRequest))).all()
    assert [row.expires_at for row in kept] == [clock.now() + timedelta(minutes=10)]


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"<xml><Content>"])
async def test_xml_with_entities_or_broken_xml_is_refused(
    wechat: WechatServer, services: Services, body: bytes
) -> None:
    response = await wechat.client.post(PATH, params=wechat.signed(), data=body)
    assert response.status == 400
    assert await incoming(services) == []


@pytest.mark.parametrize("body", UNREADABLE_XML.values(), ids=UNREADABLE_XML.keys())
async def test_a_signed_message_in_another_encoding_or_broken_is_a_bad_request(
    wechat: WechatServer, safe: WechatServer, services: Services, body: bytes
) -> None:
    assert (await wechat.client.post(PATH, params=wechat.signed(), data=body)).status == 400

    query = safe.signed()
    assert safe.crypto is not None
    encrypted, signature = safe.crypto.encrypt(body, query["nonce"], query["timestamp"])
    query |= {"encrypt_type": "aes", "msg_signature": signature}
    envelope = to_xml({"ToUserName": ACCOUNT, "Encrypt": encrypted}).encode()
    assert (await safe.client.post(PATH, params=query, data=envelope)).status == 400
    assert await incoming(services) == []


@pytest.mark.parametrize("body", UNREADABLE_XML.values(), ids=UNREADABLE_XML.keys())
async def test_an_unsigned_body_is_refused_before_it_is_parsed(
    wechat: WechatServer, safe: WechatServer, services: Services, body: bytes
) -> None:
    forged = wechat.signed(signature="0" * 40)
    assert (await wechat.client.post(PATH, params=forged, data=body)).status == 403
    # Safe mode: the envelope itself, or an Encrypt value nobody signed.
    query = safe.signed(encrypt_type="aes", msg_signature="0" * 40)
    for sent in (body, b"<xml><Encrypt>" + body + b"</Encrypt></xml>"):
        assert (await safe.client.post(PATH, params=query, data=sent)).status == 403
    assert await incoming(services) == []


async def test_an_xml_bomb_inside_a_safe_mode_message_is_refused(
    safe: WechatServer, services: Services
) -> None:
    query = safe.signed()
    assert safe.crypto is not None
    encrypted, signature = safe.crypto.encrypt(
        BILLION_LAUGHS.decode(), query["nonce"], query["timestamp"]
    )
    query |= {"encrypt_type": "aes", "msg_signature": signature}
    body = to_xml({"ToUserName": ACCOUNT, "Encrypt": encrypted}).encode()
    assert (await safe.client.post(PATH, params=query, data=body)).status == 400
    assert await incoming(services) == []


async def test_a_body_over_64_kb_is_refused(wechat: WechatServer, services: Services) -> None:
    message = text_message("好" * (MAX_BODY_BYTES // 3), 46)
    body = to_xml(message).encode()
    assert len(body) > MAX_BODY_BYTES

    response = await wechat.client.post(PATH, params=wechat.signed(), data=io.BytesIO(body))
    assert response.status == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length to go by
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    response = await wechat.client.post(PATH, params=wechat.signed(), data=chunked())
    assert response.status == 413
    assert await incoming(services) == []


# Follows and unfollows


async def test_a_new_follower_is_welcomed_once(wechat: WechatServer, services: Services) -> None:
    welcome = services.assistant.texts.render("mp_welcome")
    assert await wechat.reply(event("subscribe")) == welcome
    assert await wechat.reply(event("subscribe")) is None  # WeChat's retry of the same event


async def test_safe_mode_welcome_is_encrypted(safe: WechatServer, services: Services) -> None:
    assert await safe.reply(event("subscribe")) == services.assistant.texts.render("mp_welcome")


async def test_unfollowing_marks_the_customer_gone_until_they_write_again(
    wechat: WechatServer, services: Services
) -> None:
    await wechat.say("你好", 51)
    assert await wechat.reply(event("unsubscribe", 1764385300)) is None
    assert not (await identity(services)).active
    with pytest.raises(WindowClosed):
        await wechat.channel.deliver(USER, "您的退款已到账")

    await wechat.reply(event("subscribe", 1764385400))
    assert (await identity(services)).active
    await wechat.reply(event("unsubscribe", 1764385500))
    await wechat.say("我又回来啦", 52)
    assert (await identity(services)).active


# The customer-service API and its window


async def test_outbox_messages_within_48_hours_are_sent(
    wechat: WechatServer, api: FakeWechatApi, clock: FakeClock
) -> None:
    await wechat.say("你好", 61)
    clock.advance(hours=47, minutes=59)

    await wechat.channel.deliver(USER, "您的退款已到账")

    assert api.sent == [SentText(USER, "您的退款已到账")]


async def test_after_48_hours_the_window_is_closed(
    wechat: WechatServer, api: FakeWechatApi, clock: FakeClock
) -> None:
    await wechat.say("你好", 62)
    clock.advance(hours=48, minutes=1)

    with pytest.raises(WindowClosed):
        await wechat.channel.deliver(USER, "您的退款已到账")
    assert api.sent == []


async def test_nobody_who_never_wrote_can_be_messaged(wechat: WechatServer) -> None:
    with pytest.raises(WindowClosed):
        await wechat.channel.deliver("o_stranger", "您好")


async def test_five_messages_per_window_and_a_new_message_opens_a_new_one(
    wechat: WechatServer, api: FakeWechatApi, clock: FakeClock
) -> None:
    await wechat.say("你好", 63)
    for number in range(1, 6):
        await wechat.channel.deliver(USER, f"第{number}条")
    with pytest.raises(WindowClosed):
        await wechat.channel.deliver(USER, "第6条")
    assert len(api.sent) == 5

    clock.advance(minutes=10)
    await wechat.say("收到了，谢谢", 64)
    await wechat.channel.deliver(USER, "不客气～")
    assert api.sent[-1] == SentText(USER, "不客气～")


async def test_wechat_saying_the_window_closed_is_not_retried(
    wechat: WechatServer, api: FakeWechatApi, services: Services, clock: FakeClock
) -> None:
    await wechat.say("你好", 65)
    api.refusals[USER] = 45015
    with pytest.raises(WindowClosed):
        await wechat.channel.deliver(USER, "您的退款已到账")

    customer = await identity(services)
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        conversation = await repos.conversations.for_identity(customer.id, clock.now())
        row = await repos.outbox.add(
            customer.id, conversation.id, "工单已处理", clock.now(), sender="staff"
        )
    await deliver_outbox(services.sessions, {"wechat_mp": wechat.channel}, clock)
    async with services.sessions() as session:
        failed = await session.get(OutboxMessage, row.id)
    assert failed is not None and failed.status == "failed"
    assert "window closed" in (failed.last_error or "")


async def test_outbox_rows_reach_the_customer_through_the_api(
    wechat: WechatServer, api: FakeWechatApi, services: Services, clock: FakeClock
) -> None:
    await wechat.say("你好", 66)
    customer = await identity(services)
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        conversation = await repos.conversations.for_identity(customer.id, clock.now())
        await repos.outbox.add(customer.id, conversation.id, "工单已处理", clock.now())

    assert await deliver_outbox(services.sessions, {"wechat_mp": wechat.channel}, clock) == 1
    assert api.sent == [SentText(USER, "工单已处理")]


async def test_the_access_token_is_reused_until_shortly_before_it_expires(
    wechat: WechatServer, api: FakeWechatApi, clock: FakeClock
) -> None:
    await wechat.say("你好", 71)
    await wechat.channel.deliver(USER, "一")
    await wechat.channel.deliver(USER, "二")
    assert api.tokens_issued == 1

    clock.advance(minutes=114)  # the token lives 120 minutes
    await wechat.channel.deliver(USER, "三")
    assert api.tokens_issued == 1
    clock.advance(minutes=1)
    await wechat.channel.deliver(USER, "四")
    assert api.tokens_issued == 2


async def test_a_token_wechat_no_longer_accepts_is_replaced_and_the_message_sent(
    wechat: WechatServer, api: FakeWechatApi
) -> None:
    await wechat.say("你好", 72)
    await wechat.channel.deliver(USER, "一")
    api.revoke_tokens()

    await wechat.channel.deliver(USER, "二")

    assert api.tokens_issued == 2
    assert [sent.text for sent in api.sent] == ["一", "二"]


async def test_wechat_in_trouble_is_a_retryable_failure_that_does_not_show_the_token(
    wechat: WechatServer, api: FakeWechatApi
) -> None:
    await wechat.say("你好", 73)
    api.broken_with = 502

    with pytest.raises(ConnectionError) as failure:
        await wechat.channel.deliver(USER, "工单已处理")

    assert "502" in str(failure.value) and "token-" not in str(failure.value)
    api.broken_with = None
    await wechat.channel.deliver(USER, "工单已处理")
    assert [sent.text for sent in api.sent] == ["工单已处理"]


async def test_the_scheduler_may_message_within_48_hours_only(
    wechat: WechatServer, clock: FakeClock
) -> None:
    now = clock.now()
    assert wechat.channel.may_message(now - timedelta(hours=47), now)
    assert not wechat.channel.may_message(now - timedelta(hours=49), now)
    assert not wechat.channel.may_message(None, now)


# Wiring


async def test_the_channel_is_off_until_configured_and_uses_safe_mode_with_a_key(
    services: Services, api: FakeWechatApi, clock: FakeClock, chat: Chat
) -> None:
    assert mp_channel(services) is None

    settings = replace(
        services.settings,
        mp_token=TOKEN,
        mp_appid=APPID,
        mp_aes_key=AES_KEY,
        mp_secret=SECRET,
        mp_api_base=api.base_url,
    )
    channel = mp_channel(replace(services, settings=settings))
    assert channel is not None
    app = web.Application()
    channel.mount(app)
    async with TestClient(TestServer(app)) as client:
        wechat = WechatServer(client, channel, clock, WechatCrypto(TOKEN, AES_KEY, APPID))
        assert await wechat.say("几点发货", 81) == await chat.ask("几点发货")
        await channel.deliver(USER, "已发货")
    assert api.sent == [SentText(USER, "已发货")]


async def test_killed_after_wechat_took_an_outbox_row_the_row_is_not_sent_twice(
    wechat: WechatServer, api: FakeWechatApi, services: Services, clock: FakeClock
) -> None:
    """custom/send has no client message id: after a crash between WeChat's answer and the
    commit, the restarted process gives the row up (shown to staff) rather than repeat it."""
    await wechat.say("你好", 67)
    customer = await identity(services)
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        conversation = await repos.conversations.for_identity(customer.id, clock.now())
        row = await repos.outbox.add(customer.id, conversation.id, "已发货", clock.now())

    await deliver_and_die(services.sessions, "wechat_mp", wechat.channel, clock)
    clock.advance(seconds=LEASE.total_seconds())
    assert await deliver_outbox(services.sessions, {"wechat_mp": wechat.channel}, clock) == 0

    assert api.sent == [SentText(USER, "已发货")]
    async with services.sessions() as session:
        stored, _ = await Repositories.for_session(session).outbox.get(row.id)
    assert (stored.status, stored.last_error) == ("failed", INTERRUPTED)
