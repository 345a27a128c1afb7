"""Two bot processes on one database: a customer's messages are handled one at a time."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import start_services
from bot.services import Services
from core.messages import Incoming
from core.settings import Settings
from storage.models import Conversation, Identity, Message
from tests.support.clock import FakeClock


@pytest.fixture
async def two_processes(
    settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Services, Services]]:
    """Two sets of services with their own connections, as two processes would have."""
    first = await start_services(settings, clock)
    second = await start_services(settings, clock)
    yield first, second
    await second.close()
    await first.close()


async def test_a_new_customers_messages_reaching_two_processes_at_once(
    two_processes: tuple[Services, Services], clock: FakeClock
) -> None:
    first, second = two_processes
    messages = [
        Incoming("web", "newcomer", text, clock.now(), f"m{n}")
        for n, text in enumerate(["你好", "运费怎么算", "发什么快递", "包邮吗"] * 3)
    ]
    replies = await asyncio.gather(
        *(
            (first if n % 2 else second).assistant.handle(message)
            for n, message in enumerate(messages)
        )
    )
    assert all(replies)
    async with first.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Identity)) == 1
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1
        stored = (await session.scalars(select(Message).order_by(Message.id))).all()
    assert sorted(m.external_id for m in stored if m.direction == "in") == sorted(
        m.message_id for m in messages
    )
    # One at a time: every reply directly follows the message it answers, never another's.
    last_in = None
    for message in stored:
        if message.direction == "in":
            last_in = message.id
        else:
            assert message.reply_to_id == last_in
