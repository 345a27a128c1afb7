"""Delivering the outbox: each row once, retried on failure, taken again after a lost worker."""

import asyncio
import logging
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import OUTBOX_JOB, SCHEDULER, create_app
from bot.outreach.outbox import INTERRUPTED, LEASE, MAX_ATTEMPTS, WindowClosed, deliver_outbox
from bot.services import Services
from storage.database import create_engine, create_session_factory
from storage.models import Message, OutboxMessage
from storage.repositories import Repositories
from tests.support.channels.killed_delivery import deliver_and_die
from tests.support.channels.recording import FOREVER, RecordingSender
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.web_chat import customer_messages


async def queue(chat: Chat, text: str, sender: str = "bot") -> int:
    """An outbox row for the chat's customer, who has said something first; its id."""
    await chat.say("你好")
    async with chat.services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        conversation = await repos.conversations.for_identity(identity.id, chat.clock.now())
        row = await repos.outbox.add(
            identity.id, conversation.id, text, chat.clock.now(), sender=sender
        )
        return row.id


async def outbox_row(services: Services, row_id: int) -> OutboxMessage:
    async with services.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row


async def stored_out(services: Services, text: str) -> list[Message]:
    """Outgoing messages with this text."""
    async with services.sessions() as session:
        found = await session.scalars(
            select(Message).where(Message.direction == "out", Message.text == text)
        )
        return list(found)


@pytest.mark.parametrize("sender", ["bot", "staff"])
async def test_a_row_is_delivered_once_and_listed_for_the_customer(
    client: TestClient, services: Services, chat: Chat, clock: FakeClock, sender: str
) -> None:
    row_id = await queue(chat, "您的包裹已发出：顺丰 SF1234567890123", sender=sender)
    channel = RecordingSender()

    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 1
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0

    assert channel.delivered == [("alice", "您的包裹已发出：顺丰 SF1234567890123")]
    messages = await customer_messages(client, "alice")
    assert messages[-1] == (sender, "您的包裹已发出：顺丰 SF1234567890123")
    assert [text for _, text in messages].count("您的包裹已发出：顺丰 SF1234567890123") == 1
    row = await outbox_row(services, row_id)
    [message] = await stored_out(services, row.text)
    assert (row.status, row.attempts, row.message_id, row.sent_at) == (
        "sent",
        1,
        message.id,
        clock.now(),
    )
    assert message.sender == sender


async def test_a_row_is_only_for_its_own_customer(
    client: TestClient, services: Services, chat: Chat, clock: FakeClock
) -> None:
    await queue(chat, "给 alice 的消息")
    await chat.as_user("bob").say("你好")

    await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)

    assert ("bot", "给 alice 的消息") in await customer_messages(client, "alice")
    assert ("bot", "给 alice 的消息") not in await customer_messages(client, "bob")


async def test_two_workers_deliver_each_row_exactly_once(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    texts = [f"第{n}条通知" for n in range(8)]
    for n, text in enumerate(texts):
        await queue(chat.as_user(f"customer-{n % 3}"), text)
    # The second worker has its own engine, as a second process would.
    other_engine = create_engine(services.settings.database_url)
    channel = RecordingSender()
    try:
        counts = await asyncio.gather(
            deliver_outbox(services.sessions, {"web": channel}, clock),
            deliver_outbox(create_session_factory(other_engine), {"web": channel}, clock),
            deliver_outbox(services.sessions, {"web": channel}, clock),
        )
    finally:
        await other_engine.dispose()

    assert sum(counts) == len(texts)
    assert sorted(text for _, text in channel.delivered) == sorted(texts)
    for text in texts:
        assert len(await stored_out(services, text)) == 1, text


async def test_a_failing_sender_is_retried_later_and_then_succeeds(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "退款已到账")
    channel = RecordingSender(failures=2)

    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionError: the messaging service is down" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(minutes=1)

    clock.advance(seconds=59)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    assert channel.tries == 1  # not due yet
    clock.advance(seconds=1)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    row = await outbox_row(services, row_id)
    assert row.next_attempt_at == clock.now() + timedelta(minutes=5)  # backing off

    clock.advance(minutes=5)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 1
    assert channel.delivered == [("alice", "退款已到账")]
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(await stored_out(services, "退款已到账")) == 1


async def test_a_row_is_given_up_after_the_last_attempt(
    services: Services, chat: Chat, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    row_id = await queue(chat, "一条发不出去的消息")
    channel = RecordingSender(failures=100)

    for _ in range(MAX_ATTEMPTS + 2):
        await deliver_outbox(services.sessions, {"web": channel}, clock)
        clock.advance(hours=3)

    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert channel.tries == MAX_ATTEMPTS
    assert await stored_out(services, "一条发不出去的消息") == []
    assert f"outbox row {row_id} to web failed after {MAX_ATTEMPTS} attempts" in caplog.text


async def test_a_row_stuck_in_sending_is_taken_again_when_its_lease_runs_out(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "工单有新进展")
    async with services.sessions() as session, session.begin():
        # A worker claims the row and dies before delivering it.
        assert await Repositories.for_session(session).outbox.claim(row_id, clock.now(), LEASE)
    channel = RecordingSender()

    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    assert channel.tries == 0
    clock.advance(seconds=1)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 1

    assert channel.delivered == [("alice", "工单有新进展")]
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_row_whose_workers_keep_dying_is_given_up(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "一条总让进程崩溃的消息")
    for _ in range(MAX_ATTEMPTS):
        async with services.sessions() as session, session.begin():
            assert await Repositories.for_session(session).outbox.claim(row_id, clock.now(), LEASE)
        clock.advance(seconds=LEASE.total_seconds())
    channel = RecordingSender()

    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0

    assert channel.tries == 0
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS + 1)


async def test_a_worker_that_lost_its_lease_does_not_store_the_message_again(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "您的退货已入库")
    second_worker = RecordingSender()

    class SlowSender:
        """Takes longer than the lease; meanwhile another worker delivers the row."""

        dedupes = True  # as the web chat, which these stand in for

        async def deliver(self, user: str, text: str, key: str = "") -> None:
            clock.advance(seconds=LEASE.total_seconds() + 1)
            assert await deliver_outbox(services.sessions, {"web": second_worker}, clock) == 1

    assert await deliver_outbox(services.sessions, {"web": SlowSender()}, clock) == 0

    assert second_worker.delivered == [("alice", "您的退货已入库")]
    [message] = await stored_out(services, "您的退货已入库")
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, message.id)


async def test_a_worker_that_lost_its_lease_cannot_undo_the_new_claim(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "您的换货已发出")
    release_second = asyncio.Event()
    second_worker_started = asyncio.Event()

    class SecondSender:
        dedupes = True  # as the web chat, which these stand in for

        async def deliver(self, user: str, text: str, key: str = "") -> None:
            second_worker_started.set()
            await release_second.wait()

    class FirstSender:
        """Fails after its lease ran out, while a second worker is delivering the row."""

        dedupes = True  # as the web chat, which these stand in for

        async def deliver(self, user: str, text: str, key: str = "") -> None:
            clock.advance(seconds=LEASE.total_seconds() + 1)
            second.append(
                asyncio.create_task(
                    deliver_outbox(services.sessions, {"web": SecondSender()}, clock)
                )
            )
            await second_worker_started.wait()
            raise TimeoutError("too slow")

    second: list[asyncio.Task[int]] = []
    assert await deliver_outbox(services.sessions, {"web": FirstSender()}, clock) == 0
    assert (await outbox_row(services, row_id)).status == "sending"  # still the second's
    release_second.set()

    assert await second[0] == 1
    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(await stored_out(services, "您的换货已发出")) == 1


async def test_rows_for_a_channel_without_a_sender_wait_and_are_logged_once(
    services: Services, chat: Chat, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    wechat_user = Chat(services, clock, user="wx-001", channel="wechaty")
    row_id = await queue(wechat_user, "您的工单已处理完成")
    reported: set[str] = set()

    with caplog.at_level(logging.WARNING, logger="bot.outreach.outbox"):
        for _ in range(3):
            assert (
                await deliver_outbox(
                    services.sessions, {"web": RecordingSender()}, clock, reported_channels=reported
                )
                == 0
            )
            clock.advance(minutes=10)

    row = await outbox_row(services, row_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert caplog.text.count("no sender for channel 'wechaty'") == 1
    wechaty = RecordingSender()
    assert await deliver_outbox(services.sessions, {"wechaty": wechaty}, clock) == 1
    assert wechaty.delivered == [("wx-001", "您的工单已处理完成")]


async def test_the_running_app_delivers_the_outbox_in_the_background(
    services: Services, chat: Chat
) -> None:
    app = create_app(services, deliver_outbox_every=0.01)
    async with TestClient(TestServer(app)) as client:
        await queue(chat, "后台投递的消息")
        for _ in range(500):  # polling a background task on the wall clock; not timing it
            if ("bot", "后台投递的消息") in await customer_messages(client, "alice"):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the outbox was not delivered")
        scheduler = app[SCHEDULER]
        assert scheduler.running
        assert scheduler.get_job(OUTBOX_JOB) is not None

    assert not scheduler.running


async def test_the_app_does_not_deliver_unless_asked(
    client: TestClient, services: Services, chat: Chat
) -> None:
    row_id = await queue(chat, "只存不发")

    # No scheduler was started, so nothing can ever deliver the row (no need to wait).
    assert SCHEDULER not in client.server.app
    assert (await outbox_row(services, row_id)).status == "pending"


async def test_a_closed_window_fails_the_row_at_once_with_the_reason(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "您的工单已处理完成")
    channel = RecordingSender(
        FOREVER, fails_with=lambda: WindowClosed("45015: response out of time limit")
    )

    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0
    clock.advance(hours=3)
    assert await deliver_outbox(services.sessions, {"web": channel}, clock) == 0

    row = await outbox_row(services, row_id)
    assert (row.status, channel.tries) == ("failed", 1)
    assert "window closed" in row.last_error and "45015" in row.last_error


async def test_killed_after_the_platform_took_a_row_it_is_not_sent_again_where_repeats_arrive(
    services: Services, chat: Chat, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    row_id = await queue(chat, "您的包裹已发出：顺丰 SF1234567890123")
    platform = RecordingSender(dedupes=False)  # as WeChat's custom/send
    await deliver_and_die(services.sessions, "web", platform, clock)
    assert platform.delivered == [("alice", "您的包裹已发出：顺丰 SF1234567890123")]

    # The restarted process: the row waits out its lease, then is given up, not sent again.
    assert await deliver_outbox(services.sessions, {"web": platform}, clock) == 0
    clock.advance(seconds=LEASE.total_seconds())
    assert await deliver_outbox(services.sessions, {"web": platform}, clock) == 0
    clock.advance(hours=3)
    assert await deliver_outbox(services.sessions, {"web": platform}, clock) == 0

    assert len(platform.delivered) == 1  # at most once
    row = await outbox_row(services, row_id)
    assert row.status == "failed" and row.last_error == INTERRUPTED  # staff see it
    assert f"outbox row {row_id} to web: interrupted" in caplog.text


async def test_killed_after_the_platform_took_a_row_it_is_sent_again_where_repeats_are_dropped(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    row_id = await queue(chat, "工单有新进展")
    platform = RecordingSender(drops_repeats=True)  # as WeCom's msgid
    await deliver_and_die(services.sessions, "web", platform, clock)

    clock.advance(seconds=LEASE.total_seconds())
    assert await deliver_outbox(services.sessions, {"web": platform}, clock) == 1

    assert len(platform.keys) == 2 and len(set(platform.keys)) == 1  # the same key both times
    assert platform.delivered == [("alice", "工单有新进展")]  # at least once, shown once
    assert len(await stored_out(services, "工单有新进展")) == 1
    assert (await outbox_row(services, row_id)).status == "sent"


async def test_every_row_has_a_delivery_key_of_its_own(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await queue(chat, "一")
    await queue(chat, "二")
    platform = RecordingSender(drops_repeats=True)  # as WeCom's msgid
    assert await deliver_outbox(services.sessions, {"web": platform}, clock) == 2
    assert len(set(platform.keys)) == 2 and all(platform.keys)
