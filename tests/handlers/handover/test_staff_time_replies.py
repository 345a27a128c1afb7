"""What customers are told about staff follows the shop: its business hours as configured,
and a phone call promised only to a customer whose phone the shop knows."""

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.desk import handover
from bot.services import Services
from core.settings import Settings
from knowledge.replies import DEFAULT_REPLIES, shop_texts
from storage.models import OutboxMessage, Ticket
from tests.support.chat import Chat
from tests.support.clock import FakeClock

CALLBACK = re.compile(r"CB\d{8}-\d{4}")
# The demo shop's order of 张三, whose phone ends in 8000.
ZHANG = ("KF20261120001", "8000")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A shop whose staff work 10:00-19:00, not the default 9:00-21:00."""
    return Settings(
        database_url=database_url, data_dir=tmp_path, demo=True, business_hours="10:00-19:00"
    )


def after_closing(clock: FakeClock) -> None:
    """19:30 in Shanghai (the tests start at 11:00)."""
    clock.advance(hours=8, minutes=30)


async def callbacks(services: Services) -> list[Ticket]:
    async with services.sessions() as session:
        query = select(Ticket).where(Ticket.kind == "callback").order_by(Ticket.id)
        return list(await session.scalars(query))


async def test_a_locked_verification_names_the_configured_hours(chat: Chat) -> None:
    await chat.ask(ZHANG[0])
    answers = [await chat.ask(digits) for digits in ("1111", "2222", "3333", "4444")]

    locked = next(answer for answer in answers if "分钟后再试" in answer)
    assert "服务时间（10:00–19:00）" in locked
    assert "9:00–21:00" not in "".join(answers)


def test_every_text_naming_the_service_hours_gives_the_configured_ones(
    settings: Settings,
) -> None:
    texts = shop_texts(settings)
    raw = yaml.safe_load(DEFAULT_REPLIES.read_text(encoding="utf-8"))
    naming = [name for name, text in raw.items() if "服务时间" in text]

    assert len(naming) >= 3
    for name in naming:
        shown = texts.render(name, minutes=30, number="CB20261129-0001", back="明天 10:00")
        assert "10:00–19:00" in shown, name
        assert "21:00" not in shown, name


async def test_out_of_hours_a_chat_with_no_known_phone_is_promised_a_reply_here(
    chat: Chat, clock: FakeClock
) -> None:
    after_closing(clock)

    answer = await chat.ask("转人工")

    [ticket] = await callbacks(chat.services)
    assert ticket.number in answer
    assert "服务时间 10:00–19:00" in answer and "明天 10:00" in answer
    assert "在这里回复您" in answer and "手机号" in answer
    assert "回电" not in answer
    again = await chat.ask("转人工")
    assert ticket.number in again and "在这里回复您" in again and "回电" not in again


async def test_out_of_hours_a_verified_customer_is_promised_a_callback(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.ask(ZHANG[0])
    assert "验证成功" in await chat.ask(ZHANG[1])
    after_closing(clock)

    answer = await chat.ask("转人工")

    assert "回电请求" in answer and CALLBACK.search(answer)
    assert "在这里回复您" not in answer


async def test_at_closing_a_waiting_chat_with_no_known_phone_is_promised_a_reply_here(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    clock.advance(hours=7, minutes=50)  # 18:50
    assert "排" in await chat.ask("转人工")
    clock.advance(minutes=15)  # 19:05

    closed = await handover.close_queue(
        services.sessions, clock, services.settings, services.assistant.texts
    )

    assert closed == 1
    async with services.sessions() as session:
        [notice] = await session.scalars(select(OutboxMessage.text))
    [ticket] = await callbacks(services)
    assert ticket.number in notice and "在这里回复您" in notice and "手机号" in notice
    assert "回电" not in notice
