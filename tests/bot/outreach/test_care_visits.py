"""Care visits (定期回访): off by default; per customer group, every so many days after the last
visit or message; sent by the rules of every visit (quiet hours, one visit a week, none during
a complaint or a chat with a person, the channel's window); never taken for a satisfaction
visit; scheduled once however many runs or processes."""

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.window import ReplyWindow
from bot.desk.handover import take_over
from bot.desk.satisfaction_report import satisfaction_report
from bot.outreach.care_visits import schedule_care_visits
from bot.outreach.followup_delivery import ChannelReach
from bot.outreach.scheduler import run_followup_jobs
from bot.services import Services
from core.settings import Settings
from handlers.tickets.opening import add_ticket
from knowledge import ReplyTexts
from storage.database import create_engine, create_session_factory
from storage.models import FollowUp, Identity
from storage.order_records import ItemRecord, OrderRecord
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock
from tests.support.followups import FollowUpDesk

TEXTS = ReplyTexts.from_file()
SHANGHAI = ZoneInfo("Asia/Shanghai")
ZHANG = ("KF20261120001", "8000")  # 张三: two orders, 415 yuan
LI = ("KF20261125003", "5678")  # 李四: one order paid (89 yuan), one refunded


def shop_time(days_after_start: int, hour: int, minute: int = 0) -> datetime:
    """A moment by the shop's clock, some days after the tests' start, in UTC."""
    day = START.astimezone(SHANGHAI) + timedelta(days=days_after_start)
    return day.replace(hour=hour, minute=minute).astimezone(UTC)


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance(seconds=(when - clock.now()).total_seconds())


async def verified(chat: Chat, order: tuple[str, str] = ZHANG) -> Chat:
    """The chat, bound to the order's customer by the phone's last four digits."""
    order_no, digits = order
    await chat.ask(order_no)
    assert "验证成功" in await chat.ask(digits)
    return chat


def care(settings: Settings, **changes: float) -> Settings:
    return dataclasses.replace(settings, **changes)


@pytest.fixture
def vip(settings: Settings) -> Settings:
    """VIPs (张三 among them, at 100 yuan) visited every 60 days; other groups never."""
    return care(settings, care_visit_vip_days=60, vip_min_spend=100)


async def run_jobs(
    services: Services, settings: Settings, reach: Mapping[str, ChannelReach] | None = None
) -> None:
    await run_followup_jobs(
        services.sessions, services.clock, settings, services.assistant.texts, reach or {}
    )


async def schedule(services: Services, settings: Settings) -> int:
    return await schedule_care_visits(
        services.sessions, services.clock, settings, services.assistant.texts
    )


async def care_visits(services: Services) -> list[FollowUp]:
    async with services.sessions() as session:
        rows = await session.scalars(
            select(FollowUp).where(FollowUp.kind == "care").order_by(FollowUp.id)
        )
        return list(rows)


async def statuses(services: Services) -> list[str]:
    return [visit.status for visit in await care_visits(services)]


async def open_complaint(services: Services, followups: FollowUpDesk, chat: Chat) -> None:
    """A complaint staff opened for the chat's customer (the customer wrote nothing)."""
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        await add_ticket(
            Repositories.for_session(session),
            services.settings,
            services.clock.now(),
            identity,
            "complaint",
            category="logistics",
            description="快递太慢了",
        )


# --- when ------------------------------------------------------------------------------------


async def test_care_visits_are_off_by_default(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await verified(chat)
    clock.advance(days=300)

    await run_jobs(services, services.settings)

    assert await care_visits(services) == []


async def test_off_costs_not_even_a_database_session(services: Services, clock: FakeClock) -> None:
    def no_database() -> AsyncSession:
        raise AssertionError("a session was opened")

    sessions: async_sessionmaker[AsyncSession] = no_database  # type: ignore[assignment]
    assert await schedule_care_visits(sessions, clock, services.settings, TEXTS) == 0


async def test_a_vip_is_visited_every_60_days_and_not_sooner(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk, vip: Settings
) -> None:
    await verified(chat)  # heard from now

    clock.advance(days=59, hours=23)
    await run_jobs(services, vip)
    assert await care_visits(services) == []

    clock.advance(hours=1)
    await run_jobs(services, vip)
    await run_jobs(services, vip)  # again: nothing more
    (first,) = await care_visits(services)
    assert (first.status, first.sent_at) == ("sent", clock.now())
    assert await followups.outbox_texts(chat) == [TEXTS.render("followup_care_vip")]

    clock.advance(days=59, hours=23)
    await run_jobs(services, vip)
    assert await statuses(services) == ["sent"]
    clock.advance(hours=1)
    await run_jobs(services, vip)
    assert await statuses(services) == ["sent", "sent"]
    assert len(await followups.outbox_texts(chat)) == 2


async def test_a_customer_heard_from_lately_is_not_visited(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=50)
    await chat.ask("你好")

    clock.advance(days=10)  # 60 days since the first message, 10 since the last
    assert await schedule(services, vip) == 0
    clock.advance(days=49)
    assert await schedule(services, vip) == 0
    clock.advance(days=1)
    assert await schedule(services, vip) == 1


async def test_a_customer_who_ordered_lately_is_not_visited(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=55)
    record = OrderRecord(
        order_no="KF20270123006",
        status="paid",
        created_at=clock.now(),
        customer_name="张三",
        customer_phone="13800138000",
        items=(ItemRecord("MASK-01", "玻尿酸补水面膜", 1, Decimal("59.00")),),
        total=Decimal("59.00"),
        paid_at=clock.now(),
        shipment=None,
        delivered_at=None,
    )
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).orders.upsert(record)

    clock.advance(days=10)  # 65 days since the message, 10 since the order
    assert await schedule(services, vip) == 0


async def test_the_interval_is_per_group(
    services: Services, chat: Chat, clock: FakeClock, settings: Settings
) -> None:
    await verified(chat.as_user("zhang"), ZHANG)  # repeat: two orders, below the VIP spend
    await verified(chat.as_user("li"), LI)  # new: one order bought
    clock.advance(days=400)

    assert await schedule(services, care(settings, care_visit_vip_days=60)) == 0

    assert await schedule(services, care(settings, care_visit_repeat_days=30)) == 1
    (visit,) = await care_visits(services)
    assert visit.text == TEXTS.render("followup_care_repeat")
    assert await schedule(services, care(settings, care_visit_new_days=30)) == 1
    assert (await care_visits(services))[-1].text == TEXTS.render("followup_care_new")


# --- to whom ---------------------------------------------------------------------------------


async def test_customers_without_an_active_chat_are_skipped(
    services: Services, chat: Chat, clock: FakeClock, settings: Settings
) -> None:
    everyone = care(
        settings, care_visit_new_days=30, care_visit_repeat_days=30, care_visit_vip_days=30
    )
    await verified(chat.as_user("zhang"), ZHANG)
    li = await verified(chat.as_user("li"), LI)
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Identity).where(Identity.external_id == li.user).values(active=False)
        )
    clock.advance(days=30)

    # 王五 never chatted, 李四 left the channel: only 张三.
    assert await schedule(services, everyone) == 1
    (visit,) = await care_visits(services)
    async with services.sessions() as session:
        identity = await session.get(Identity, visit.identity_id)
    assert identity is not None and identity.external_id == "zhang"


async def test_the_visit_goes_to_the_chat_used_most_lately(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    phone = await verified(chat.as_user("zhang-phone"))
    clock.advance(hours=1)
    await verified(chat.as_user("zhang-laptop"))
    clock.advance(hours=1)
    await phone.ask("在吗")
    clock.advance(days=60)

    assert await schedule(services, vip) == 1
    (visit,) = await care_visits(services)
    async with services.sessions() as session:
        identity = await session.get(Identity, visit.identity_id)
    assert identity is not None and identity.external_id == "zhang-phone"


# --- the rules of every visit ----------------------------------------------------------------


async def test_no_care_visit_during_an_open_complaint(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=60)
    await open_complaint(services, followups, chat)

    await run_jobs(services, vip)
    (visit,) = await care_visits(services)
    assert (visit.status, visit.note) == ("skipped", "客户有未结束的投诉")
    assert await followups.outbox_texts(chat) == []
    assert await schedule(services, vip) == 0  # not again the same day
    clock.advance(days=1)
    assert await schedule(services, vip) == 0  # nor the next: it was this round's visit


async def test_a_care_visit_due_at_night_goes_after_quiet_hours(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk, vip: Settings
) -> None:
    await verified(chat)
    move_to(clock, shop_time(60, 22))

    await run_jobs(services, vip)
    assert await statuses(services) == ["scheduled"]
    move_to(clock, shop_time(61, 1))  # a new day: the visit waiting is not scheduled again
    await run_jobs(services, vip)
    move_to(clock, shop_time(61, 8, 59))
    await run_jobs(services, vip)
    assert await statuses(services) == ["scheduled"]

    move_to(clock, shop_time(61, 9, 30))
    await run_jobs(services, vip)
    (visit,) = await care_visits(services)
    assert visit.status == "sent" and shop_time(61, 9) <= visit.sent_at <= shop_time(61, 9, 30)
    assert await followups.outbox_texts(chat) == [TEXTS.render("followup_care_vip")]


async def test_a_satisfaction_visit_holds_back_a_care_visit_for_a_week(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=57)
    await followups.schedule(chat, "order:1:visit")
    assert (await followups.send()).sent == 1

    clock.advance(days=3)
    await run_jobs(services, vip)
    (visit,) = await care_visits(services)
    assert (visit.status, visit.note) == ("skipped", "7 天内已回访过该客户")

    clock.advance(days=59)  # the skipped one was this round's: none until the next
    await run_jobs(services, vip)
    assert await statuses(services) == ["skipped"]
    clock.advance(days=1, minutes=1)
    await run_jobs(services, vip)
    assert await statuses(services) == ["skipped", "sent"]


async def test_a_care_visit_holds_back_a_satisfaction_visit_for_a_week(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=60)
    await run_jobs(services, vip)
    assert await statuses(services) == ["sent"]

    await followups.schedule(chat, "order:1:visit", due=clock.now() + timedelta(days=6))
    clock.advance(days=6)
    done = await followups.send()

    assert (done.sent, done.skipped) == (0, 1)
    assert (await followups.get("order:1:visit")).note == "7 天内已回访过该客户"


async def test_a_care_visit_waits_while_a_person_has_the_chat(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings, staff_id: int
) -> None:
    await verified(chat)
    clock.advance(days=60)
    conversation = await chat.conversation()
    texts = services.assistant.texts
    assert await take_over(services.sessions, clock, texts, conversation.id, staff_id)

    await run_jobs(services, vip)
    (visit,) = await care_visits(services)
    assert (visit.status, visit.note) == ("scheduled", "客户正在与客服对话")
    clock.advance(days=1)
    await run_jobs(services, vip)
    assert await statuses(services) == ["scheduled"]  # still the one, postponed again


async def test_a_closed_channel_window_waits_a_whole_interval(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    window = {"web": ReplyWindow(timedelta(hours=48))}
    await verified(chat)
    clock.advance(days=60)

    await run_jobs(services, vip, window)
    (visit,) = await care_visits(services)
    assert visit.status == "undeliverable"
    clock.advance(days=59)
    await run_jobs(services, vip, window)
    assert await statuses(services) == ["undeliverable"]  # not tried every day in vain

    await chat.ask("你好")  # the window opens; the interval starts again
    clock.advance(days=60)
    await run_jobs(services, vip)
    assert await statuses(services) == ["undeliverable", "sent"]


# --- no satisfaction visit -------------------------------------------------------------------


async def test_a_rating_like_answer_to_a_care_visit_is_no_rating(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=60)
    await run_jobs(services, vip)

    reply = await chat.ask("5")

    assert TEXTS.render("survey_thanks_high", rating=5) not in reply
    assert TEXTS.render("survey_ask_comment") not in reply
    (visit,) = await care_visits(services)
    assert (visit.status, visit.rating) == ("sent", None)


async def test_care_visits_neither_expire_nor_count_as_satisfaction_visits(
    services: Services, chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=60)
    await run_jobs(services, vip)
    clock.advance(hours=49)
    await run_jobs(services, vip)

    assert await statuses(services) == ["sent"]
    report = await satisfaction_report(services.sessions, clock, days=30)
    assert report.total.sent == 0 and report.not_sent == {}


# --- once ------------------------------------------------------------------------------------


async def test_two_processes_schedule_a_care_visit_once(
    chat: Chat, clock: FakeClock, vip: Settings
) -> None:
    await verified(chat)
    clock.advance(days=60)
    engines = [create_engine(vip.database_url) for _ in range(2)]
    try:
        added = await asyncio.gather(
            *(
                schedule_care_visits(create_session_factory(engine), clock, vip, TEXTS)
                for engine in engines
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()

    assert sorted(added) == [0, 1]


async def test_the_scheduler_says_how_many_it_scheduled(
    services: Services,
    chat: Chat,
    clock: FakeClock,
    vip: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await verified(chat)
    clock.advance(days=60)

    with caplog.at_level(logging.INFO, logger="bot.outreach.scheduler"):
        await run_jobs(services, vip)

    assert "1 sent" in caplog.text and "1 care visits scheduled" in caplog.text
