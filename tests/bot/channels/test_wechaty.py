"""The Wechaty channel end to end: the real Wechaty client talks gRPC to a fake puppet service
on 127.0.0.1, as it would to a puppet service holding a WeChat account."""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import create_app, start_services
from bot.channels.wechaty import wechaty_channel
from bot.channels.wechaty.channel import WechatyChannel
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from core.settings import Settings
from storage.models import Message, OutboxMessage
from storage.repositories import Repositories
from tests.support.channels.fake_puppet import (
    ATTACHMENT,
    IMAGE,
    LOCATION,
    VIDEO,
    WAIT_SECONDS,
    ContactType,
    FakePuppetService,
)
from tests.support.clock import FakeClock

CUSTOMER = "wxid_customer"
ROOM = "123@chatroom"
OFFICIAL = "gh_news"
TOKEN = "puppet-service-token-1234"
ASKS_FOR_ORDER = "请把订单号发给我"  # the answer to "where is my order" from a new customer


@pytest.fixture
async def puppet() -> AsyncIterator[FakePuppetService]:
    fake = FakePuppetService()
    fake.add_contact(CUSTOMER, "小美")
    fake.add_contact("wxid_other", "阿强")
    fake.add_contact(OFFICIAL, "每日新闻", ContactType.CONTACT_TYPE_OFFICIAL)
    fake.add_room(ROOM, "老客户群", [fake.bot_id, CUSTOMER, "wxid_other"])
    async with fake.serving():
        yield fake


@pytest.fixture
async def channel(services: Services, puppet: FakePuppetService) -> AsyncIterator[WechatyChannel]:
    """The channel connected to the fake, not yet logged in."""
    channel = WechatyChannel(
        services.assistant,
        services.sessions,
        services.clock,
        puppet.endpoint,
        TOKEN,
        retry_delays=(0.0,),
    )
    async with channel:
        await puppet.called("Event")
        yield channel


@pytest.fixture
async def online(channel: WechatyChannel, puppet: FakePuppetService) -> WechatyChannel:
    """The channel with the account logged in."""
    await log_in(puppet, channel)
    return channel


async def log_in(puppet: FakePuppetService, channel: WechatyChannel) -> None:
    """The account logs in; return once the channel knows."""
    puppet.log_in()
    async with asyncio.timeout(WAIT_SECONDS):
        await channel.wait_until_logged_in()


async def handled(channel: WechatyChannel, puppet: FakePuppetService, message_id: str) -> None:
    """Return once the client has read the message and the channel is done with it."""
    await puppet.called("MessagePayload", about=message_id)
    async with asyncio.timeout(WAIT_SECONDS):
        await channel.settled()


async def stored_incoming(services: Services, user: str) -> list[Message]:
    """What the customer said, as stored, oldest first."""
    async with services.sessions() as session:
        identity = await Repositories.for_session(session).identities.find("wechaty", user)
        if identity is None:
            return []
        found = await session.scalars(
            select(Message)
            .where(Message.identity_id == identity.id, Message.direction == "in")
            .order_by(Message.id)
        )
        return list(found)


async def queue_staff_reply(services: Services, clock: FakeClock, user: str, text: str) -> int:
    """An outbox row for the WeChat contact `user`; its id."""
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.get_or_create("wechaty", user, clock.now())
        conversation = await repos.conversations.for_identity(identity.id, clock.now())
        row = await repos.outbox.add(
            identity.id, conversation.id, text, clock.now(), sender="staff"
        )
        return row.id


async def test_a_contacts_question_is_answered_to_that_contact(
    online: WechatyChannel, puppet: FakePuppetService, services: Services
) -> None:
    message_id = puppet.write(CUSTOMER, "我的订单到哪了")

    sent = await puppet.next_sent()

    assert sent.conversation_id == CUSTOMER
    assert ASKS_FOR_ORDER in sent.text
    [stored] = await stored_incoming(services, CUSTOMER)
    assert (stored.text, stored.external_id) == ("我的订单到哪了", message_id)
    assert puppet.routes()[:3] == ["Stop", "Start", "Event"]


async def test_a_staff_reply_in_the_outbox_is_delivered(
    online: WechatyChannel, puppet: FakePuppetService, services: Services, clock: FakeClock
) -> None:
    row_id = await queue_staff_reply(services, clock, CUSTOMER, "亲，您的退款已经办好了")

    delivered = await deliver_outbox(services.sessions, {"wechaty": online}, clock)

    assert delivered == 1
    sent = await puppet.next_sent()
    assert (sent.conversation_id, sent.text) == (CUSTOMER, "亲，您的退款已经办好了")
    async with services.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None and row.status == "sent"


async def test_outbox_rows_wait_while_wechat_is_not_logged_in(
    channel: WechatyChannel, puppet: FakePuppetService, services: Services, clock: FakeClock
) -> None:
    row_id = await queue_staff_reply(services, clock, CUSTOMER, "您的包裹明天到")

    assert await deliver_outbox(services.sessions, {"wechaty": channel}, clock) == 0
    async with services.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None and row.status != "sent" and row.next_attempt_at is not None
        assert "not connected" in (row.last_error or "")

    await log_in(puppet, channel)
    clock.advance(minutes=1)
    assert await deliver_outbox(services.sessions, {"wechaty": channel}, clock) == 1
    assert (await puppet.next_sent()).text == "您的包裹明天到"


async def test_a_group_message_that_does_not_mention_the_bot_is_left_alone(
    online: WechatyChannel, puppet: FakePuppetService, services: Services
) -> None:
    message_id = puppet.write(CUSTOMER, "大家好，我的订单到哪了", room_id=ROOM)
    await handled(online, puppet, message_id)

    assert puppet.sent.empty()
    assert await stored_incoming(services, CUSTOMER) == []


# Some puppet services leave the mention list empty and only the text says "@name".
@pytest.mark.parametrize("listed", [True, False], ids=["mention listed", "mention in text"])
async def test_a_group_message_mentioning_the_bot_is_answered_in_the_group(
    online: WechatyChannel, puppet: FakePuppetService, services: Services, listed: bool
) -> None:
    puppet.write(
        CUSTOMER,
        f"@{puppet.bot_name}\u2005我的订单到哪了",
        room_id=ROOM,
        mention_ids=[puppet.bot_id] if listed else [],
    )

    sent = await puppet.next_sent()

    assert sent.conversation_id == ROOM
    assert sent.mention_ids == (CUSTOMER,)
    assert sent.text.startswith("@小美 ") and ASKS_FOR_ORDER in sent.text
    [stored] = await stored_incoming(services, CUSTOMER)
    assert stored.text == "我的订单到哪了"  # the customer's own, without the mention


async def test_the_accounts_own_messages_are_not_answered(
    online: WechatyChannel, puppet: FakePuppetService, services: Services
) -> None:
    # Typed on the shop's phone, or sent by the bot, and seen again as an event.
    message_id = puppet.write(puppet.bot_id, "亲，在的，有什么可以帮您？", to_id=CUSTOMER)
    await handled(online, puppet, message_id)

    assert puppet.sent.empty()
    assert await stored_incoming(services, puppet.bot_id) == []
    assert await stored_incoming(services, CUSTOMER) == []


@pytest.mark.parametrize(
    ("kind", "name"), [(IMAGE, "image"), (ATTACHMENT, "file"), (VIDEO, "video")]
)
async def test_images_and_files_become_media_references(
    online: WechatyChannel, puppet: FakePuppetService, services: Services, kind: int, name: str
) -> None:
    message_id = puppet.write(CUSTOMER, kind=kind)

    assert (await puppet.next_sent()).conversation_id == CUSTOMER  # acknowledged
    [stored] = await stored_incoming(services, CUSTOMER)
    assert stored.media == [f"wechaty:{name}:{message_id}"]


async def test_official_accounts_are_not_answered(
    online: WechatyChannel, puppet: FakePuppetService, services: Services
) -> None:
    message_id = puppet.write(OFFICIAL, "今日要闻：……")
    await handled(online, puppet, message_id)

    assert puppet.sent.empty()
    assert await stored_incoming(services, OFFICIAL) == []


async def test_messages_of_types_the_bot_cannot_read_are_left_alone(
    online: WechatyChannel, puppet: FakePuppetService, services: Services
) -> None:
    message_id = puppet.write(CUSTOMER, "<location/>", kind=LOCATION)
    await handled(online, puppet, message_id)

    assert puppet.sent.empty()
    assert await stored_incoming(services, CUSTOMER) == []


async def test_a_message_sent_again_after_a_restart_is_answered_once(
    online: WechatyChannel,
    puppet: FakePuppetService,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Imported here, once bot.channels.wechaty.compat has made wechaty importable.
    from wechaty.utils.async_helper import SingleIdContainer

    message_id = puppet.write(CUSTOMER, "我的订单到哪了")
    await puppet.next_sent()
    # A restarted process has forgotten the message ids its client saw.
    monkeypatch.setattr(SingleIdContainer, "_instance", None)

    puppet.resend(message_id)
    await puppet.called("MessagePayload", times=2, about=message_id)
    async with asyncio.timeout(WAIT_SECONDS):
        await online.settled()

    assert puppet.sent.empty()
    async with services.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(Message.external_id == message_id)
        )
    assert count == 1


async def test_a_lost_connection_is_made_again(
    online: WechatyChannel, puppet: FakePuppetService, caplog: pytest.LogCaptureFixture
) -> None:
    puppet.end_streams()
    await puppet.called("Event", times=2)

    assert "disconnected (the service ended the event stream)" in caplog.text
    assert puppet.routes().count("Start") == 2
    await log_in(puppet, online)
    puppet.write(CUSTOMER, "我的订单到哪了")
    assert (await puppet.next_sent()).conversation_id == CUSTOMER


async def test_stopping_does_not_wait_out_the_pause_before_connecting_again(
    services: Services, puppet: FakePuppetService
) -> None:
    channel = WechatyChannel(
        services.assistant,
        services.sessions,
        services.clock,
        puppet.endpoint,
        TOKEN,
        retry_delays=(3600.0,),
    )
    async with asyncio.timeout(WAIT_SECONDS), channel:
        await puppet.called("Event")
        puppet.end_streams()
        await puppet.called("Stop", times=2)  # the lost connection is closed


async def test_the_service_token_stays_out_of_the_logs(
    services: Services, puppet: FakePuppetService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as `python -m bot run` logs
    channel = WechatyChannel(
        services.assistant, services.sessions, services.clock, puppet.endpoint, TOKEN
    )
    async with channel:
        await puppet.called("Event")
        await log_in(puppet, channel)

    assert caplog.records
    assert TOKEN not in caplog.text


def test_the_channel_is_on_only_with_an_endpoint_and_a_token(services: Services) -> None:
    def configured(**settings: str) -> Services:
        return replace(services, settings=Settings(**settings))

    assert wechaty_channel(services) is None
    assert wechaty_channel(configured(wechaty_endpoint="127.0.0.1:8788")) is None
    assert wechaty_channel(configured(wechaty_token="secret")) is None
    on = configured(wechaty_endpoint="127.0.0.1:8788", wechaty_token="secret")
    assert isinstance(wechaty_channel(on), WechatyChannel)


async def test_the_application_connects_while_it_runs_and_answers_contacts(
    settings: Settings, clock: FakeClock, puppet: FakePuppetService
) -> None:
    configured = replace(settings, wechaty_endpoint=puppet.endpoint, wechaty_token=TOKEN)
    services = await start_services(configured, clock)
    try:
        async with TestServer(create_app(services)):
            await puppet.called("Event")
            puppet.log_in()
            puppet.write(CUSTOMER, "我的订单到哪了")
            sent = await puppet.next_sent()
        assert (sent.conversation_id, ASKS_FOR_ORDER in sent.text) == (CUSTOMER, True)
        assert puppet.routes()[-1] == "Stop"  # disconnected when the application stopped
    finally:
        await services.close()
