"""A staff reply in a taken-over chat is the first response its customer's open tickets wait
for: `tickets show` gives its time and the service report counts it."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli.ticket_printing import print_ticket
from bot.desk.service_report import Ratio, service_report
from bot.desk.tickets import show_ticket
from bot.services import Services
from storage.models import Identity, Ticket
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console, taken_over


async def chat_ticket(services: Services, chat: Chat) -> Ticket:
    async with services.sessions() as session:
        return (
            await session.scalars(
                select(Ticket)
                .join(Identity, Identity.id == Ticket.identity_id)
                .where(Identity.external_id == chat.user)
            )
        ).one()


async def test_a_staff_reply_is_the_tickets_first_response_in_tickets_show_and_the_report(
    agent_console: Console,
    chat: Chat,
    services: Services,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await chat.ask("我要投诉，快递太慢了，一个星期还没到")
    ticket = await chat_ticket(services, chat)
    assert ticket.first_response_at is None
    path = await taken_over(chat, agent_console)
    clock.advance(minutes=5)

    reply = await agent_console.post_form(f"{path}/reply", {"text": "您好，我马上帮您催一下快递"})

    assert reply.status == 200
    answered = await chat_ticket(services, chat)
    assert answered.first_response_at == clock.now()
    zone = ZoneInfo("Asia/Shanghai")
    print_ticket(await show_ticket(services.sessions, ticket.number), zone)
    shown = capsys.readouterr().out
    given = clock.now().astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert f"given {given}" in shown
    report = await service_report(services.sessions, clock, zone)
    assert report.first_response == Ratio(1, 1)


async def test_a_ticket_answered_already_keeps_its_first_response_time(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    await chat.ask("我要投诉，快递太慢了，一个星期还没到")
    path = await taken_over(chat, agent_console)
    await agent_console.post_form(f"{path}/reply", {"text": "您好，我马上帮您催一下快递"})
    first = (await chat_ticket(services, chat)).first_response_at
    clock.advance(minutes=10)

    await agent_console.post_form(f"{path}/reply", {"text": "已经催好了，明天到"})

    assert (await chat_ticket(services, chat)).first_response_at == first
