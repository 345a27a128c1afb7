"""Messages staff schedule for a customer: the time as typed, who is meant, what is refused,
and that the scheduler sends them at their time, quiet hours or not."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.outreach.followup_delivery import send_due_followups
from bot.outreach.scheduled_messages import (
    ScheduledMessage,
    ScheduleRefused,
    parse_time,
    schedule_customer_message,
)
from bot.services import Services
from storage.models import FollowUp, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORDER = "KF20261120001"  # the demo shop's 张三, phone 13800138000


async def verified(chat: Chat) -> Chat:
    """The chat, verified as 张三 by the digits of the phone on the order."""
    await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("8000")
    return chat


async def customer_of(chat: Chat) -> int:
    async with chat.services.sessions() as session:
        identities = Repositories.for_session(session).identities
        identity = await identities.find(chat.channel, chat.user)
    assert identity is not None and identity.customer_id is not None
    return identity.customer_id


async def schedule(
    services: Services, customer: str, at: datetime, text: str = "您好"
) -> ScheduledMessage:
    return await schedule_customer_message(
        services.sessions,
        services.clock,
        services.settings,
        at=at,
        text=text,
        staff_id=None,
        customer=customer,
    )


async def sent_texts(services: Services) -> list[tuple[str, str]]:
    """(sender, text) of the outbox rows written so far."""
    await send_due_followups(services.sessions, services.clock, services.settings, {})
    async with services.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.sender, row.text) for row in rows]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-12-01 10:00", datetime(2026, 12, 1, 2, 0, tzinfo=UTC)),
        ("2026-12-01T10:00", datetime(2026, 12, 1, 2, 0, tzinfo=UTC)),
        (" 2026-12-01T10:00:30 ", datetime(2026, 12, 1, 2, 0, 30, tzinfo=UTC)),
        ("2026-12-01 10:00+00:00", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("2026-12-01T10:00Z", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_times_are_the_shops_unless_they_say_otherwise(typed: str, meant: datetime) -> None:
    assert parse_time(typed, SHANGHAI) == meant


@pytest.mark.parametrize("typed", ["", "2026-12-01", "tomorrow 10:00", "2026-13-01 10:00"])
def test_a_time_without_a_clear_date_and_hour_is_refused(typed: str) -> None:
    with pytest.raises(ScheduleRefused, match="give a date and a time") as refused:
        parse_time(typed, SHANGHAI)
    assert refused.value.chinese == "请填写发送的日期和时间"


async def test_a_chat_is_found_by_channel_and_user(services: Services, chat: Chat) -> None:
    await chat.ask("你好")
    scheduled = await schedule(services, "web:alice", datetime(2026, 11, 29, 4, 0, tzinfo=UTC))
    assert scheduled.recipient == "web:alice"
    assert scheduled.due_at == datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


async def test_a_customer_is_found_by_id_or_phone_at_their_latest_chat(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verified(chat)
    clock.advance(minutes=5)
    await verified(chat.as_user("alice-phone"))
    at = clock.now() + timedelta(hours=1)
    reference = f"#{await customer_of(chat)}"
    assert (await schedule(services, reference, at)).recipient == "web:alice-phone"
    assert (await schedule(services, "138-0013-8000", at)).recipient == "web:alice-phone"
    assert (await schedule(services, "+86 138 0013 8000", at)).recipient == "web:alice-phone"


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("web:nobody", "no chat web:nobody"),
        ("#9999", "no chat found for customer #9999"),
        ("13900000000", "no customer with a chat has the phone number 13900000000"),
        ("alice", "unknown customer 'alice'"),
    ],
)
async def test_unknown_customers_are_refused(
    services: Services, chat: Chat, reference: str, why: str
) -> None:
    await verified(chat)
    with pytest.raises(ScheduleRefused, match=why):
        await schedule(services, reference, services.clock.now() + timedelta(hours=1))


async def test_a_customer_without_a_verified_chat_cannot_be_found_by_phone(
    services: Services, chat: Chat
) -> None:
    await chat.ask("你好")  # 张三 exists, but no chat of theirs is verified
    with pytest.raises(ScheduleRefused, match="no customer with a chat"):
        await schedule(services, "13800138000", services.clock.now() + timedelta(hours=1))


async def test_blank_long_past_and_far_messages_are_refused(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    now, limit = clock.now(), services.settings.max_message_chars
    refused = [
        ("  \n ", now + timedelta(hours=1), "the message is empty"),
        ("好" * (limit + 1), now + timedelta(hours=1), f"at most {limit}"),
        ("晚了", now - timedelta(minutes=2), "that time has passed"),
        ("明年", now + timedelta(days=367), "more than a year away"),
    ]
    for text, at, why in refused:
        with pytest.raises(ScheduleRefused, match=why):
            await schedule(services, "web:alice", at, text)
    async with services.sessions() as session:
        assert list(await session.scalars(select(FollowUp))) == []


async def test_a_time_just_past_goes_out_at_once(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    scheduled = await schedule(services, "web:alice", clock.now() - timedelta(seconds=30), "马上")
    assert scheduled.due_at == clock.now()
    assert ("staff", "马上") in await sent_texts(services)


async def test_the_message_goes_at_its_time_even_in_quiet_hours(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    await schedule(services, "web:alice", parse_time("2026-11-29 23:30", SHANGHAI), "晚安提醒")
    clock.advance(hours=12, minutes=29)  # 23:29 in Shanghai, quiet since 21:00
    assert ("staff", "晚安提醒") not in await sent_texts(services)
    clock.advance(minutes=1)
    assert ("staff", "晚安提醒") in await sent_texts(services)


async def test_the_same_message_twice_is_scheduled_twice(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    at = clock.now() + timedelta(minutes=10)
    first = await schedule(services, "web:alice", at, "别忘了")
    second = await schedule(services, "web:alice", at, "别忘了")
    assert first.id != second.id
    clock.advance(minutes=10)
    assert (await sent_texts(services)).count(("staff", "别忘了")) == 2
