"""Sending due follow-ups: on time and once, never in quiet hours, one visit a week per
customer, none during a complaint or a chat with a person, and only inside a channel's window."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.channels.window import ReplyWindow
from bot.desk.actor import Actor
from bot.desk.handover import hand_back, take_over
from bot.desk.tickets import update_ticket
from bot.outreach.followup_delivery import Dispatched, send_due_followups
from bot.services import Services
from core.settings import Settings
from handlers.tickets.opening import add_ticket
from storage.database import create_engine, create_session_factory
from storage.models import FollowUp, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.followups import FollowUpDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shop_time(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on a day of November/December 2026, by the shop's clock, in UTC."""
    start = datetime(2026, 11, 29, tzinfo=SHANGHAI) + timedelta(days=day - 29)
    return start.replace(hour=hour, minute=minute).astimezone(UTC)


async def ticket_for(
    services: Services, chat: Chat, followups: FollowUpDesk, kind: str = "complaint"
) -> str:
    """An open ticket (a complaint unless said otherwise) of the chat's customer; its number."""
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        ticket = await add_ticket(
            Repositories.for_session(session),
            services.settings,
            services.clock.now(),
            identity,
            kind,
            category="logistics" if kind == "complaint" else None,
            description="快递太慢了",
        )
        return ticket.number


async def test_a_due_visit_goes_to_the_outbox_once(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await followups.schedule(chat, "order:1:visit", due=clock.now() + timedelta(days=3))

    assert (await followups.send()).sent == 0
    clock.advance(days=3)
    assert (await followups.send()).sent == 1
    assert (await followups.send()).sent == 0

    assert await followups.outbox_texts(chat) == ["亲，这次购物还满意吗？回复 1～5 分就好～"]
    visit = await followups.get("order:1:visit")
    assert (visit.status, visit.sent_at) == ("sent", clock.now())


async def test_scheduling_the_same_subject_twice_keeps_one(
    services: Services, chat: Chat, followups: FollowUpDesk
) -> None:
    await followups.schedule(chat, "order:1:shipped:SF1")
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        again = await Repositories.for_session(session).followups.schedule(
            kind="shipping_notice",
            subject="order:1:shipped:SF1",
            identity_id=identity.id,
            text="again",
            due_at=services.clock.now(),
            created_at=services.clock.now(),
        )

    assert not again
    await followups.send()
    assert len(await followups.outbox_texts(chat)) == 1


async def test_a_visit_due_at_night_waits_for_the_morning(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await followups.schedule(chat, "order:1:visit", due=shop_time(29, 22))

    clock.advance(seconds=(shop_time(29, 23) - clock.now()).total_seconds())
    assert (await followups.send()).sent == 0
    clock.advance(seconds=(shop_time(30, 8, 59) - clock.now()).total_seconds())
    assert (await followups.send()).sent == 0

    clock.advance(seconds=(shop_time(30, 9, 30) - clock.now()).total_seconds())
    assert (await followups.send()).sent == 1
    visit = await followups.get("order:1:visit")
    assert shop_time(30, 9) <= visit.due_at < shop_time(30, 9, 30)


async def test_a_backlog_after_quiet_hours_goes_out_over_half_an_hour(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    customers = [chat.as_user(f"customer{n}") for n in range(30)]
    for n, customer in enumerate(customers):
        await followups.schedule(customer, f"order:{n}:visit", due=shop_time(29, 21, 30))

    clock.advance(seconds=(shop_time(30, 9) - clock.now()).total_seconds())
    first = await followups.send()
    assert first.released == 30
    assert first.sent < 10  # not all at once

    times = [(await followups.get(f"order:{n}:visit")).due_at for n in range(30)]
    assert all(shop_time(30, 9) <= due < shop_time(30, 9, 30) for due in times)
    assert max(times) - min(times) > timedelta(minutes=15)

    clock.advance(minutes=30)
    assert first.sent + (await followups.send()).sent == 30


async def test_what_fell_due_while_the_shop_slept_is_not_sent_in_the_night(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    # Due at 15:00; nothing ran until 22:00 (the process was down).
    await followups.schedule(chat, "order:1:visit", due=shop_time(29, 15))
    clock.advance(seconds=(shop_time(29, 22) - clock.now()).total_seconds())

    assert (await followups.send()).sent == 0
    clock.advance(seconds=(shop_time(30, 9, 30) - clock.now()).total_seconds())
    assert (await followups.send()).sent == 1


async def test_a_message_staff_timed_goes_out_at_night_too(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await followups.schedule(
        chat,
        "message:1",
        kind="message",
        text="您要的赠品今晚补发",
        due=shop_time(29, 22),
        quiet=False,
    )
    await followups.schedule(chat, "order:1:visit", due=shop_time(29, 22))

    clock.advance(seconds=(shop_time(29, 22, 1) - clock.now()).total_seconds())

    assert (await followups.send()).sent == 1
    assert await followups.outbox_texts(chat) == ["您要的赠品今晚补发"]


async def test_without_quiet_hours_a_visit_goes_at_any_hour(
    services: Services, chat: Chat, clock: FakeClock, settings: Settings
) -> None:
    night = Settings(**{**settings.__dict__, "quiet_hours": ""})
    followups = FollowUpDesk(services, clock)
    await followups.schedule(chat, "order:1:visit", due=shop_time(29, 23))
    clock.advance(seconds=(shop_time(29, 23) - clock.now()).total_seconds())

    done = await send_due_followups(services.sessions, clock, night, {})

    assert done.sent == 1


async def test_one_visit_per_customer_a_week(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await followups.schedule(chat, "order:1:visit")
    await followups.schedule(chat, "ticket:7:visit", due=clock.now() + timedelta(days=2))
    await followups.send()

    clock.advance(days=2)
    done = await followups.send()

    assert (done.sent, done.skipped) == (0, 1)
    later = await followups.get("ticket:7:visit")
    assert later.status == "skipped" and later.note == "7 天内已回访过该客户"
    await followups.schedule(chat, "order:2:visit", due=clock.now() + timedelta(days=6))
    clock.advance(days=6)
    assert (await followups.send()).sent == 1
    assert len(await followups.outbox_texts(chat)) == 2


async def test_the_weekly_limit_counts_every_chat_of_one_customer(
    chat: Chat, followups: FollowUpDesk
) -> None:
    phone_chat, web_chat = chat.as_user("zhang-phone"), chat.as_user("zhang-laptop")
    for each in (phone_chat, web_chat):
        await each.ask("KF20261120001")
        assert "验证成功" in await each.ask("8000")
    await followups.schedule(phone_chat, "order:1:visit")
    await followups.schedule(web_chat, "ticket:1:visit")

    done = await followups.send()

    assert (done.sent, done.skipped) == (1, 1)


async def test_no_visit_while_a_complaint_is_open(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    number = await ticket_for(services, chat, followups)
    await followups.schedule(chat, "order:1:visit")

    assert (await followups.send()).skipped == 1
    assert (await followups.get("order:1:visit")).note == "客户有未结束的投诉"

    await update_ticket(
        services.sessions,
        number,
        status="resolved",
        actor=Actor.command_line(clock.now()),
        texts=services.assistant.texts,
        settings=services.settings,
    )
    await followups.schedule(chat, "order:2:visit")
    assert (await followups.send()).sent == 1


async def test_a_visit_waits_while_a_person_has_the_chat(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock, staff_id: int
) -> None:
    await followups.identity(chat)
    conversation = await chat.conversation()
    texts = services.assistant.texts
    assert await take_over(services.sessions, clock, texts, conversation.id, staff_id)
    await followups.schedule(chat, "order:1:visit")
    await followups.schedule(chat, "order:1:shipped:SF1", kind="shipping_notice", text="已发货")

    done = await followups.send()

    assert (done.sent, done.postponed) == (1, 1)  # the notice goes, the visit waits
    visit = await followups.get("order:1:visit")
    assert (visit.status, visit.note) == ("scheduled", "客户正在与客服对话")
    await hand_back(services.sessions, clock, texts, conversation.id, staff_id)
    clock.advance(minutes=59)
    assert (await followups.send()).sent == 0
    clock.advance(minutes=2)
    assert (await followups.send()).sent == 1
    assert (await followups.get("order:1:visit")).status == "sent"


async def test_a_visit_kept_waiting_for_two_weeks_is_dropped(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock, staff_id: int
) -> None:
    await followups.identity(chat)
    conversation = await chat.conversation()
    texts = services.assistant.texts
    await followups.schedule(chat, "order:1:visit", due=clock.now() + timedelta(days=14))
    clock.advance(days=14)
    assert await take_over(services.sessions, clock, texts, conversation.id, staff_id)

    done = await followups.send()

    assert done.skipped == 1
    assert (await followups.get("order:1:visit")).status == "skipped"


async def test_a_visit_for_a_ticket_reopened_since_is_dropped(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    number = await ticket_for(services, chat, followups, kind="after_sales")
    for status in ("resolved", "in_progress"):
        await update_ticket(
            services.sessions,
            number,
            status=status,
            actor=Actor.command_line(clock.now()),
            texts=services.assistant.texts,
            settings=services.settings,
        )
    clock.advance(days=1, minutes=1)

    done = await followups.send()

    assert done.skipped == 1
    async with services.sessions() as session:
        visit = await session.scalar(select(FollowUp).where(FollowUp.kind == "visit"))
    assert visit is not None and visit.note == "工单已重新打开"


async def test_a_closed_channel_window_makes_a_visit_undeliverable(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    window = {"web": ReplyWindow(timedelta(hours=48))}
    await followups.schedule(chat, "order:1:visit", due=clock.now() + timedelta(days=3))
    await followups.schedule(chat, "order:1:shipped:SF1", kind="shipping_notice", text="已发货")

    assert (await followups.send(window)).sent == 1  # the customer wrote just now
    clock.advance(days=3)
    done = await followups.send(window)

    assert (done.sent, done.undeliverable) == (0, 1)
    visit = await followups.get("order:1:visit")
    assert visit.status == "undeliverable" and "时限" in visit.note
    clock.advance(days=1)
    assert not (await followups.send(window)).any  # not retried
    assert await followups.outbox_texts(chat) == ["已发货"]


async def send_from_two_processes(
    settings: Settings, clock: FakeClock, batch: int
) -> list[Dispatched]:
    """What is due, sent by two workers at once, each with connections of its own."""
    engines = [create_engine(settings.database_url) for _ in range(2)]
    try:
        return await asyncio.gather(
            *(
                send_due_followups(create_session_factory(engine), clock, settings, {}, batch=batch)
                for engine in engines
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()


async def test_two_workers_on_one_database_send_each_followup_once(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock, settings: Settings
) -> None:
    customers = [chat.as_user(f"customer{n}") for n in range(60)]
    for n, customer in enumerate(customers):
        await followups.schedule(customer, f"order:{n}:shipped:SF{n}", kind="shipping_notice")
    results = await send_from_two_processes(settings, clock, batch=7)

    assert sum(result.sent for result in results) == 60
    async with followups.services.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
        statuses = set(await session.scalars(select(FollowUp.status)))
    assert rows == 60 and statuses == {"sent"}


async def test_two_workers_keep_to_one_visit_a_week_for_a_customer(
    chat: Chat, followups: FollowUpDesk, clock: FakeClock, settings: Settings
) -> None:
    """Visits to one customer's two chats, judged by two processes at once: one is sent."""
    chats = [chat.as_user(f"zhang-{n}") for n in range(2)]
    for each in chats:
        await each.ask("KF20261125003")
        assert "验证成功" in await each.ask("5678")
    for n, each in enumerate(chats):
        await followups.schedule(each, f"order:{n}:visit")
    results = await send_from_two_processes(settings, clock, batch=1)
    assert sum(r.sent for r in results) == 1 and sum(r.skipped for r in results) == 1
