"""WeCom customer service against a local fake of WeCom: the callback, messages pulled after the
saved cursor and answered, restarts, repeats, the access token, the 48-hour / 5-message window
and handing a session to the shop's people."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.wechat_crypto import WechatCrypto
from bot.channels.wechat_xml import to_xml
from bot.channels.wecom_api import WecomApiError
from bot.channels.wecom_kf import CHANNEL, PATH, WecomKfChannel, wecom_kf_channel
from bot.outreach.outbox import INTERRUPTED, LEASE, WindowClosed, deliver_outbox
from bot.services import Services
from core.settings import Settings
from storage.repositories import Repositories
from tests.support.channels.fake_wecom_api import (
    AES_KEY,
    CORP_ID,
    CRYPTO,
    OPEN_KFID,
    SECRET,
    TOKEN,
    FakeWecom,
    kf_callback,
    signed_query,
)
from tests.support.channels.killed_delivery import deliver_and_die
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.hostile_xml import UNREADABLE_XML

QUESTION = "付款后多久发货？"
# Turns a genuine callback (query, body) into a bad one.
Spoil = Callable[[dict[str, str], str, FakeClock], tuple[dict[str, str], str]]


def wecom_settings(settings: Settings, fake: FakeWecom) -> Settings:
    return replace(
        settings,
        wecom_corp_id=CORP_ID,
        wecom_secret=SECRET,
        wecom_token=TOKEN,
        wecom_aes_key=AES_KEY,
        wecom_api_base=fake.base_url,
    )


class Shop:
    """The shop's side: kefu with the WeCom channel on a test server, restartable."""

    def __init__(
        self, services: Services, fake: FakeWecom, clock: FakeClock, handover_in_client: bool
    ) -> None:
        self.services = services
        self.fake = fake
        self.clock = clock
        self.handover_in_client = handover_in_client
        self.kf, self.client = self._open()

    def _open(self) -> tuple[WecomKfChannel, TestClient]:
        settings = replace(
            wecom_settings(self.services.settings, self.fake),
            wecom_handover_in_client=self.handover_in_client,
        )
        channel = WecomKfChannel(
            self.services.assistant, self.services.sessions, self.clock, settings
        )
        app = web.Application()
        channel.mount(app)
        return channel, TestClient(TestServer(app))

    async def start(self) -> None:
        await self.client.start_server()

    async def stop(self) -> None:
        await self.client.close()
        await self.kf.stop()

    async def restart(self) -> None:
        """The process stops, whatever it was doing, and a new one starts on the database."""
        await self.stop()
        self.kf, self.client = self._open()
        await self.start()

    async def notify(self, token: str = "callback-token") -> None:
        """WeCom's callback; returns when the messages it announced are pulled and answered."""
        await self.post_callback(token)
        await self.kf.settled()

    async def post_callback(self, token: str) -> None:
        query, body = kf_callback(token, self.clock.now())
        response = await self.client.post(PATH, params=query, data=body)
        assert response.status == 200
        assert await response.text() == "success"

    async def customer_says(self, user: str, text: str = QUESTION) -> None:
        self.fake.customer_writes(user, text, self.clock.now())
        await self.notify()


@pytest.fixture
async def fake() -> AsyncIterator[FakeWecom]:
    fake = FakeWecom()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("/")).rstrip("/")
    yield fake
    fake.release()
    await server.close()


@pytest.fixture
def handover_in_client() -> bool:
    """KEFU_WECOM_HANDOVER_IN_CLIENT; a test turns it on with parametrize."""
    return False


@pytest.fixture
async def shop(
    services: Services, fake: FakeWecom, clock: FakeClock, handover_in_client: bool
) -> AsyncIterator[Shop]:
    shop = Shop(services, fake, clock, handover_in_client)
    await shop.start()
    yield shop
    fake.release()
    await shop.stop()


def touched(fake: FakeWecom) -> list[str]:
    """Whom send_msg reached, in order."""
    return [message["touser"] for message in fake.sent]


async def queue_staff_reply(services: Services, user: str, text: str) -> int:
    """An outbox row to the WeCom customer `user`, as the console writes one; its id."""
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(CHANNEL, user)
        assert identity is not None
        conversation = await repos.conversations.for_identity(identity.id, now)
        row = await repos.outbox.add(identity.id, conversation.id, text, now, sender="staff")
        return row.id


# The callback.


async def test_wecom_checks_the_url_and_gets_the_decrypted_echostr(
    shop: Shop, clock: FakeClock
) -> None:
    echostr, _ = CRYPTO.encrypt("5927782489442352469", "nonce", "0")
    query = {**signed_query(echostr, clock.now()), "echostr": echostr}
    response = await shop.client.get(PATH, params=query)
    assert response.status == 200
    assert await response.text() == "5927782489442352469"


async def test_a_url_check_with_a_forged_signature_is_refused(shop: Shop, clock: FakeClock) -> None:
    echostr, _ = CRYPTO.encrypt("5927782489442352469", "nonce", "0")
    query = {**signed_query(echostr, clock.now()), "echostr": echostr, "msg_signature": "0" * 40}
    response = await shop.client.get(PATH, params=query)
    assert response.status == 403
    assert "5927782489442352469" not in await response.text()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda query, body, clock: ({**query, "msg_signature": "f" * 40}, body),
        lambda query, body, clock: ({**query, "nonce": "other"}, body),
        lambda query, body, clock: kf_callback("t", clock.now() - timedelta(minutes=6)),
        lambda query, body, clock: (query, body.replace("Encrypt>", "Nothing>")),
    ],
    ids=["forged signature", "changed nonce", "replayed 6 minutes later", "no Encrypt"],
)
async def test_a_forged_or_replayed_event_is_refused_and_nothing_is_pulled(
    shop: Shop, fake: FakeWecom, clock: FakeClock, spoil: Spoil
) -> None:
    fake.customer_writes("wm-alice", QUESTION, clock.now())
    query, body = kf_callback("t", clock.now())
    query, body = spoil(query, body, clock)
    response = await shop.client.post(PATH, params=query, data=body)
    await shop.kf.settled()
    assert response.status == 403
    assert fake.sync_calls == []
    assert fake.sent == []


async def test_an_event_encrypted_for_another_company_is_refused(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    other = WechatCrypto(TOKEN, AES_KEY, "wwsomeoneelse")
    encrypted, _ = other.encrypt(
        to_xml({"Event": "kf_msg_or_event", "Token": "t", "OpenKfId": OPEN_KFID}), "n", "0"
    )
    response = await shop.client.post(
        PATH, params=signed_query(encrypted, clock.now()), data=to_xml({"Encrypt": encrypted})
    )
    await shop.kf.settled()
    assert response.status == 403
    assert fake.sync_calls == []


async def test_an_oversized_body_is_refused(shop: Shop, clock: FakeClock) -> None:
    query, body = kf_callback("t", clock.now())
    padded = body.replace("</xml>", "<Pad>" + "x" * 70_000 + "</Pad></xml>")
    response = await shop.client.post(PATH, params=query, data=padded)
    assert response.status == 413


@pytest.mark.parametrize("document", UNREADABLE_XML.values(), ids=UNREADABLE_XML.keys())
async def test_an_unsigned_body_is_refused_without_being_parsed(
    shop: Shop, fake: FakeWecom, clock: FakeClock, document: bytes
) -> None:
    # As the envelope itself, or in the Encrypt value of an envelope nobody signed.
    signed_for_another, _ = CRYPTO.encrypt("<xml/>", "n", "0")
    query = signed_query(signed_for_another, clock.now())
    for body in (document, b"<xml><Encrypt>" + document + b"</Encrypt></xml>"):
        response = await shop.client.post(PATH, params=query, data=body)
        assert response.status == 403
    assert fake.sync_calls == []


@pytest.mark.parametrize("document", UNREADABLE_XML.values(), ids=UNREADABLE_XML.keys())
async def test_a_signed_event_that_is_not_readable_xml_is_a_bad_request(
    shop: Shop, fake: FakeWecom, clock: FakeClock, document: bytes
) -> None:
    encrypted, _ = CRYPTO.encrypt(document, "n", "0")
    body = to_xml({"ToUserName": CORP_ID, "Encrypt": encrypted})
    response = await shop.client.post(PATH, params=signed_query(encrypted, clock.now()), data=body)
    await shop.kf.settled()
    assert response.status == 400
    assert fake.sync_calls == []


# Pulling and answering.


async def test_messages_are_pulled_after_the_callback_and_answered(
    shop: Shop, fake: FakeWecom, clock: FakeClock, chat: Chat
) -> None:
    expected = await chat.ask(QUESTION)  # the same question on the web chat
    fake.customer_writes("wm-alice", QUESTION, clock.now())
    await shop.notify(token="ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR")
    assert fake.sync_calls == [
        {
            "cursor": "",
            "token": "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR",
            "open_kfid": OPEN_KFID,
            "limit": 1000,
        }
    ]
    assert fake.sent == [
        {
            "touser": "wm-alice",
            "open_kfid": OPEN_KFID,
            "msgtype": "text",
            "text": {"content": expected},
        }
    ]


async def test_the_next_callback_pulls_from_the_saved_cursor(shop: Shop, fake: FakeWecom) -> None:
    await shop.customer_says("wm-alice")
    await shop.customer_says("wm-bob")
    assert [call["cursor"] for call in fake.sync_calls] == ["", "cursor-1"]
    assert touched(fake) == ["wm-alice", "wm-bob"]


async def test_every_page_is_taken_while_wecom_has_more(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    fake.page_size = 2
    users = [f"wm-{n}" for n in range(5)]
    for user in users:
        fake.customer_writes(user, QUESTION, clock.now())
    await shop.notify()
    assert [call["cursor"] for call in fake.sync_calls] == ["", "cursor-2", "cursor-4"]
    assert touched(fake) == users


async def test_a_restart_in_the_middle_resumes_from_the_saved_cursor(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    fake.page_size = 2
    users = [f"wm-{n}" for n in range(5)]
    for user in users:
        fake.customer_writes(user, QUESTION, clock.now())
    second_page_asked = fake.hold("cursor-2")
    await shop.post_callback("first")
    async with asyncio.timeout(10):
        await second_page_asked.wait()
    await shop.restart()  # stops while WeCom is still answering for the second page
    fake.release()
    await shop.notify("second")
    assert [call["cursor"] for call in fake.sync_calls] == ["", "cursor-2", "cursor-2", "cursor-4"]
    assert touched(fake) == users  # none lost, none answered twice


async def test_a_message_pulled_again_is_not_answered_again(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    msgid = fake.customer_writes("wm-alice", QUESTION, clock.now())
    fake.customer_writes("wm-alice", QUESTION, clock.now(), msgid=msgid)  # handed out twice
    await shop.notify()
    # The cursor lost, as if the process died after answering but before saving it.
    async with services.sessions() as session, session.begin():
        channels = Repositories.for_session(session).channels
        await channels.set_state(f"wecom_kf:cursor:{OPEN_KFID}", "", clock.now())
    await shop.notify()
    assert touched(fake) == ["wm-alice"]
    assert [call["cursor"] for call in fake.sync_calls] == ["", ""]


async def test_a_picture_gets_a_polite_text(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    fake.add("wm-alice", clock.now(), "image", {"image": {"media_id": "2-G6nrLmr5EC3MMb"}})
    await shop.notify()
    assert fake.sent_texts("wm-alice") == [services.assistant.texts.render("wecom_kf_not_text")]


async def test_staff_messages_and_events_get_no_answer(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    now = clock.now()
    fake.add("wm-alice", now, "text", {"text": {"content": "您好，我是小王"}}, origin=5)
    fake.add("wm-alice", now, "event", {"event": {"event_type": "enter_session"}}, origin=4)
    await shop.notify()
    await shop.customer_says("wm-bob")
    assert touched(fake) == ["wm-bob"]
    assert [call["cursor"] for call in fake.sync_calls] == ["", "cursor-2"]


# The access token.


async def test_the_access_token_is_reused_until_it_runs_out(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    await shop.customer_says("wm-alice")
    await shop.customer_says("wm-bob")
    assert fake.tokens_issued == 1
    clock.advance(hours=2)
    await shop.customer_says("wm-carol")
    assert fake.tokens_issued == 2
    assert touched(fake) == ["wm-alice", "wm-bob", "wm-carol"]


@pytest.mark.parametrize(
    "refuse", [FakeWecom.expire_tokens, FakeWecom.revoke_tokens], ids=["42001", "40014"]
)
async def test_a_token_wecom_refuses_is_replaced_and_the_call_made_again(
    shop: Shop, fake: FakeWecom, refuse: Callable[[FakeWecom], None]
) -> None:
    await shop.customer_says("wm-alice")
    refuse(fake)
    await shop.customer_says("wm-bob")
    assert fake.tokens_issued == 2
    assert touched(fake) == ["wm-alice", "wm-bob"]


# Sending on the shop's own: the window.


async def test_a_staff_reply_goes_out_through_the_outbox(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    await shop.customer_says("wm-alice")
    clock.advance(hours=47)
    await queue_staff_reply(services, "wm-alice", "您好，我是客服小李，您的订单今天发出～")
    assert await deliver_outbox(services.sessions, {CHANNEL: shop.kf}, clock) == 1
    assert fake.sent[-1] == {
        "msgid": fake.sent[-1]["msgid"],  # the row's own (see the tests on repeats)
        "touser": "wm-alice",
        "open_kfid": OPEN_KFID,
        "msgtype": "text",
        "text": {"content": "您好，我是客服小李，您的订单今天发出～"},
    }


async def test_nothing_goes_out_48_hours_after_the_customer_wrote(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    await shop.customer_says("wm-alice")
    clock.advance(hours=48, seconds=1)
    with pytest.raises(WindowClosed):
        await shop.kf.deliver("wm-alice", "还在吗？")
    assert touched(fake) == ["wm-alice"]
    await shop.customer_says("wm-alice", "在的")  # writing again opens it again
    await shop.kf.deliver("wm-alice", "好的，马上为您处理")
    assert fake.sent_texts("wm-alice")[-1] == "好的，马上为您处理"


async def test_at_most_five_messages_follow_one_from_the_customer(
    shop: Shop, fake: FakeWecom
) -> None:
    await shop.customer_says("wm-alice")  # the answer is the first of the five
    for n in range(4):
        await shop.kf.deliver("wm-alice", f"第 {n + 2} 条")
    with pytest.raises(WindowClosed):
        await shop.kf.deliver("wm-alice", "第 6 条")
    assert len(fake.sent) == 5


async def test_a_customer_who_never_wrote_cannot_be_messaged(shop: Shop, fake: FakeWecom) -> None:
    with pytest.raises(WindowClosed):
        await shop.kf.deliver("wm-stranger", "您好")
    assert fake.sent == []


@pytest.mark.parametrize("errcode", [95001, 95002, 95013, 95018])
async def test_wecom_refusing_the_customer_closes_the_window(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock, errcode: int
) -> None:
    await shop.customer_says("wm-alice")
    row_id = await queue_staff_reply(services, "wm-alice", "您好")
    fake.send_errcodes.append(errcode)
    assert await deliver_outbox(services.sessions, {CHANNEL: shop.kf}, clock) == 0
    async with services.sessions() as session:
        row, _ = await Repositories.for_session(session).outbox.get(row_id)
    assert row.status == "failed"  # at once, not retried
    assert row.last_error.startswith("window closed")


async def test_other_wecom_errors_are_left_to_the_outbox_to_retry(
    shop: Shop, fake: FakeWecom
) -> None:
    await shop.customer_says("wm-alice")
    fake.send_errcodes.append(-1)  # system busy
    with pytest.raises(WecomApiError):
        await shop.kf.deliver("wm-alice", "您好")
    await shop.kf.deliver("wm-alice", "您好")
    assert fake.sent_texts("wm-alice")[-1] == "您好"


async def test_a_long_text_goes_in_pieces_wecom_accepts(shop: Shop, fake: FakeWecom) -> None:
    await shop.customer_says("wm-alice")
    text = "您的退货已经收到，" * 120  # 1080 characters, 3240 bytes
    await shop.kf.deliver("wm-alice", text)
    pieces = fake.sent_texts("wm-alice")[1:]
    assert len(pieces) == 2
    assert all(len(piece.encode()) <= 2048 for piece in pieces)
    assert "".join(pieces) == text


async def test_the_scheduler_may_message_within_48_hours(shop: Shop, clock: FakeClock) -> None:
    heard = clock.now()
    assert shop.kf.may_message(heard, heard + timedelta(hours=48))
    assert not shop.kf.may_message(heard, heard + timedelta(hours=48, seconds=1))
    assert not shop.kf.may_message(None, heard)


# Handover and configuration.


async def test_a_session_handed_to_a_person_goes_to_the_waiting_pool(
    shop: Shop, fake: FakeWecom
) -> None:
    await shop.customer_says("wm-alice")
    assert await shop.kf.hand_to_person("wm-alice")
    assert not await shop.kf.hand_to_person("wm-stranger")
    assert fake.transfers == [
        {"open_kfid": OPEN_KFID, "external_userid": "wm-alice", "service_state": 2}
    ]


async def conversation_mode(services: Services, user: str) -> str:
    async with services.sessions() as session:
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(CHANNEL, user)
        assert identity is not None
        conversation = await repos.conversations.for_identity(identity.id, services.clock.now())
        return conversation.mode


@pytest.mark.parametrize("handover_in_client", [True])
async def test_handing_over_in_the_client_moves_the_session_to_the_pool_once(
    shop: Shop, services: Services, fake: FakeWecom
) -> None:
    await shop.customer_says("wm-alice", "转人工")
    assert fake.transfers == [
        {"open_kfid": OPEN_KFID, "external_userid": "wm-alice", "service_state": 2}
    ]
    # Told their place before the move: WeCom refuses the bot's messages after it.
    queued = services.assistant.texts.render("handover_queued_no_agent", position=1)
    assert fake.sent_texts("wm-alice") == [queued]
    await shop.customer_says("wm-alice", "转人工")
    await shop.customer_says("wm-alice", QUESTION)
    assert await conversation_mode(services, "wm-alice") == "queued"
    assert len(fake.transfers) == 1


@pytest.mark.parametrize("handover_in_client", [True])
async def test_handing_over_in_the_client_leaves_sessions_the_bot_keeps_alone(
    shop: Shop, fake: FakeWecom, clock: FakeClock
) -> None:
    clock.advance(hours=11)  # 22:00 in Shanghai: nobody is queued, a callback is promised
    await shop.customer_says("wm-alice", "转人工")
    assert fake.transfers == []
    assert touched(fake) == ["wm-alice"]


async def test_without_handing_over_in_the_client_the_console_answers_through_the_api(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    await shop.customer_says("wm-alice", "转人工")
    assert await conversation_mode(services, "wm-alice") == "queued"
    await queue_staff_reply(services, "wm-alice", "您好，我是客服小李，请问有什么可以帮您？")
    assert await deliver_outbox(services.sessions, {CHANNEL: shop.kf}, clock) == 1
    assert fake.transfers == []
    assert fake.sent_texts("wm-alice")[-1] == "您好，我是客服小李，请问有什么可以帮您？"


async def test_the_channel_is_on_only_when_configured(services: Services, fake: FakeWecom) -> None:
    assert wecom_kf_channel(services) is None
    configured = replace(services, settings=wecom_settings(services.settings, fake))
    channel = wecom_kf_channel(configured)
    assert isinstance(channel, WecomKfChannel)
    await channel.stop()


async def test_killed_after_wecom_took_an_outbox_row_it_is_not_sent_again(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    """Whether WeCom drops a repeated msgid is not documented: the restarted process gives the
    row up with a reason staff see rather than risk sending it twice."""
    await shop.customer_says("wm-alice")
    row_id = await queue_staff_reply(services, "wm-alice", "您的退款已到账")

    await deliver_and_die(services.sessions, CHANNEL, shop.kf, clock)
    await shop.restart()
    clock.advance(seconds=LEASE.total_seconds())
    assert await deliver_outbox(services.sessions, {CHANNEL: shop.kf}, clock) == 0

    assert fake.sent_texts("wm-alice").count("您的退款已到账") == 1
    async with services.sessions() as session:
        row, _ = await Repositories.for_session(session).outbox.get(row_id)
    assert (row.status, row.last_error) == ("failed", INTERRUPTED)


async def test_each_piece_of_each_row_has_a_msgid_of_its_own(
    shop: Shop, services: Services, fake: FakeWecom, clock: FakeClock
) -> None:
    await shop.customer_says("wm-alice")
    await queue_staff_reply(services, "wm-alice", "您的退货已经收到，" * 120)  # two pieces
    await queue_staff_reply(services, "wm-alice", "还有别的问题吗？")
    assert await deliver_outbox(services.sessions, {CHANNEL: shop.kf}, clock) == 2
    msgids = [m.get("msgid") for m in fake.sent[1:]]
    assert len(msgids) == 3 and all(msgids) and len(set(msgids)) == 3
