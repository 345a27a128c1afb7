"""Reminders: staff hear of a deadline an hour before and when it is missed, once each; a
customer whose approved return is not on its way three days after the approval is reminded
once, and a customer merely asked a question is not."""

from dataclasses import replace
from datetime import timedelta

from bot.desk.actor import Actor
from bot.desk.tickets import approve_return, update_ticket
from bot.outreach.reminders import remind_deadlines, schedule_return_reminders
from bot.services import Services
from core.settings import Settings
from handlers.tickets.opening import add_ticket
from storage.models import StaffNotification, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.followups import FollowUpDesk

ADDRESS = "上海市浦东新区张江路 88 号 售后部 收，021-55556666"


async def new_ticket(
    services: Services, chat: Chat, followups: FollowUpDesk, kind: str, **fields: str
) -> Ticket:
    identity = await followups.identity(chat)
    async with services.sessions() as session, session.begin():
        return await add_ticket(
            Repositories.for_session(session),
            services.settings,
            services.clock.now(),
            identity,
            kind,
            **fields,  # type: ignore[arg-type]
        )


async def update(services: Services, number: str, status: str, note: str | None = None) -> None:
    await update_ticket(
        services.sessions,
        number,
        status=status,
        note=note,
        public=note is not None,
        actor=Actor.command_line(services.clock.now()),
        texts=services.assistant.texts,
        settings=services.settings,
    )


async def approve(
    services: Services, number: str, note: str | None = None, settings: Settings | None = None
) -> None:
    """Staff approve the return, with a note for the customer if given."""
    await approve_return(
        services.sessions,
        number,
        note=note,
        public=True,
        actor=Actor.command_line(services.clock.now()),
        texts=services.assistant.texts,
        settings=settings or services.settings,
    )


async def reminders(services: Services) -> list[StaffNotification]:
    """Staff notifications about deadlines, oldest first."""
    async with services.sessions() as session:
        unread = await Repositories.for_session(session).notifications.unread()
    return [n for n in reversed(unread) if "到期" in n.reason]


async def remind(services: Services) -> int:
    return await remind_deadlines(services.sessions, services.clock, services.settings)


async def test_staff_hear_of_a_first_response_due_within_the_hour_and_when_missed(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "complaint", category="logistics")
    assert ticket.first_response_due == clock.now() + timedelta(hours=2)  # 13:00 in Shanghai

    assert await remind(services) == 0
    clock.advance(hours=1, minutes=5)
    assert await remind(services) == 1
    assert await remind(services) == 0
    clock.advance(hours=1)
    assert await remind(services) == 1
    assert await remind(services) == 0

    soon, missed = await reminders(services)
    assert soon.reason == f"工单 {ticket.number}: 首次响应将于 13:00 到期"
    assert not soon.urgent
    assert missed.reason == f"工单 {ticket.number}: 首次响应已超时（13:00 到期）"
    assert missed.urgent


async def test_a_deadline_first_seen_when_missed_gets_only_the_overdue_reminder(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    await new_ticket(services, chat, followups, "complaint", category="logistics")
    clock.advance(hours=3)  # the scheduler was down meanwhile

    assert await remind(services) == 1
    (missed,) = await reminders(services)
    assert "首次响应已超时" in missed.reason


async def test_an_answered_ticket_is_reminded_of_its_resolution_only(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "complaint", category="logistics")
    await update(services, ticket.number, "in_progress")

    clock.advance(seconds=(ticket.resolution_due - clock.now()).total_seconds() - 30 * 60)
    assert await remind(services) == 1
    clock.advance(hours=1)
    assert await remind(services) == 1

    soon, missed = await reminders(services)
    assert "处理将于" in soon.reason and "处理已超时" in missed.reason


async def test_a_finished_ticket_is_not_reminded(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "complaint", category="logistics")
    await update(services, ticket.number, "resolved")
    clock.advance(days=5)

    assert await remind(services) == 0


async def test_a_return_not_sent_after_three_days_gets_one_reminder_with_the_address(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    settings = replace(services.settings, return_address=ADDRESS)
    texts = services.assistant.texts
    ticket = await new_ticket(services, chat, followups, "after_sales", request_type="return")
    await approve(services, ticket.number, settings=settings)

    clock.advance(days=2, hours=23)
    assert await schedule_return_reminders(services.sessions, clock, settings, texts) == 0
    clock.advance(hours=2)
    assert await schedule_return_reminders(services.sessions, clock, settings, texts) == 1
    assert await schedule_return_reminders(services.sessions, clock, settings, texts) == 0
    assert (await followups.send()).sent == 1

    approval, reminder = await followups.outbox_texts(chat)
    assert "已经通过" in approval and "还没看到寄出" in reminder
    assert ticket.number in reminder and ADDRESS in reminder
    clock.advance(days=5)
    assert await schedule_return_reminders(services.sessions, clock, settings, texts) == 0
    assert (await followups.send()).sent == 0


async def test_a_return_asked_a_question_is_not_told_to_send_its_parcel(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    settings = replace(services.settings, return_address=ADDRESS)
    bob = chat.as_user("bob")
    asked = await new_ticket(services, chat, followups, "after_sales", request_type="return")
    approved = await new_ticket(services, bob, followups, "after_sales", request_type="exchange")
    await update(services, asked.number, "waiting_customer", note="请拍一下瓶底批号")
    await approve(services, approved.number, settings=settings)
    clock.advance(days=3, minutes=1)

    scheduled = await schedule_return_reminders(
        services.sessions, clock, settings, services.assistant.texts
    )

    assert scheduled == 1
    assert (await followups.send()).sent == 1
    assert not any("还没看到寄出" in text for text in await followups.outbox_texts(chat))
    assert "还没看到寄出" in (await followups.outbox_texts(bob))[-1]


async def test_the_three_days_count_from_the_approval_not_from_a_question_before_it(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    texts = services.assistant.texts
    ticket = await new_ticket(services, chat, followups, "after_sales", request_type="return")
    await update(services, ticket.number, "waiting_customer", note="请拍一下瓶底批号")
    clock.advance(days=2)
    await approve(services, ticket.number)

    clock.advance(days=2)  # four days after the question, two after the approval
    assert await schedule_return_reminders(services.sessions, clock, services.settings, texts) == 0
    clock.advance(days=1, minutes=1)
    assert await schedule_return_reminders(services.sessions, clock, services.settings, texts) == 1


async def test_without_an_address_the_reminder_points_to_the_one_staff_sent(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "after_sales", request_type="exchange")
    await approve(services, ticket.number, note=f"请寄回：{ADDRESS}")
    clock.advance(days=3, minutes=1)

    await schedule_return_reminders(
        services.sessions, clock, services.settings, services.assistant.texts
    )
    await followups.send()

    assert "客服之前发您的地址" in (await followups.outbox_texts(chat))[-1]


async def test_a_customer_who_sends_the_tracking_number_is_not_reminded(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "after_sales", request_type="return")
    await approve(services, ticket.number)
    clock.advance(days=1)

    answer = await chat.ask("已经寄出了，顺丰单号 SF1112223334445")
    clock.advance(days=3)
    scheduled = await schedule_return_reminders(
        services.sessions, clock, services.settings, services.assistant.texts
    )

    assert ticket.number in answer
    assert scheduled == 0


async def test_a_return_on_its_way_before_the_reminder_goes_is_not_reminded(
    services: Services, chat: Chat, followups: FollowUpDesk, clock: FakeClock
) -> None:
    ticket = await new_ticket(services, chat, followups, "after_sales", request_type="return")
    await approve(services, ticket.number)
    clock.advance(days=3, hours=10)  # 21:00 in Shanghai: the reminder waits for the morning
    await schedule_return_reminders(
        services.sessions, clock, services.settings, services.assistant.texts
    )
    assert (await followups.send()).sent == 0

    await update(services, ticket.number, "in_progress", note="客户已寄出，单号 SF1112223334445")
    clock.advance(hours=13)
    done = await followups.send()

    assert (done.sent, done.skipped) == (0, 1)
    assert not any("还没看到寄出" in text for text in await followups.outbox_texts(chat))
