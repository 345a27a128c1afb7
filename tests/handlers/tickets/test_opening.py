"""Ticket numbers customers can quote, and the promised times."""

from datetime import timedelta

from sqlalchemy import select

from bot.console.formatting import LABELS
from core.settings import Settings
from handlers.tickets.opening import KIND_NAMES, deadlines
from storage.models import TICKET_KINDS, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import START


async def numbers(chat: Chat) -> list[str]:
    async with chat.services.sessions() as session:
        return list(await session.scalars(select(Ticket.number).order_by(Ticket.id)))


async def test_complaints_are_numbered_by_day_in_sequence(chat: Chat) -> None:
    await chat.ask("快递太慢了，差评！！！")
    await chat.as_user("bob").ask("你们客服态度太差了，我要投诉")
    assert await numbers(chat) == ["CP20261129-0001", "CP20261129-0002"]


async def test_numbering_continues_after_the_highest_number_of_the_day(chat: Chat) -> None:
    await chat.ask("快递太慢了，差评！！！")
    async with chat.services.sessions() as session, session.begin():
        ticket = await Repositories.for_session(session).tickets.by_number("CP20261129-0001")
        ticket.number = "CP20261129-0041"  # e.g. others were deleted or imported
    await chat.as_user("bob").ask("你们客服态度太差了，我要投诉")
    assert await numbers(chat) == ["CP20261129-0041", "CP20261129-0042"]


def test_urgent_tickets_are_promised_sooner() -> None:
    settings = Settings()
    normal_first, normal_done = deadlines("complaint", "normal", START, settings)
    urgent_first, urgent_done = deadlines("complaint", "urgent", START, settings)
    assert urgent_first - START == timedelta(minutes=30)
    assert urgent_first < normal_first and urgent_done < normal_done
    assert deadlines("after_sales", "normal", START, settings)[1] - START == timedelta(hours=48)


def test_staff_notifications_name_ticket_kinds_as_the_console_does() -> None:
    assert {kind: LABELS[kind] for kind in TICKET_KINDS} == KIND_NAMES
