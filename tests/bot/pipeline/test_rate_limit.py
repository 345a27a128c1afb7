"""A customer sending too fast is asked to slow down, loses nothing, and slows nobody else."""

from sqlalchemy import func, select

from core.settings import Settings
from storage.models import Message
from tests.support.chat import Chat
from tests.support.clock import FakeClock


async def test_the_message_over_the_limit_is_asked_to_slow_down_once(
    chat: Chat, clock: FakeClock
) -> None:
    limit = Settings().rate_limit_messages
    for n in range(limit):
        assert "慢" not in await chat.ask(f"运费怎么算{n}")
    assert "稍等几秒" in await chat.ask("运费怎么算？？")
    assert await chat.say("还在吗") == []  # once a burst
    # Somebody else is answered as usual meanwhile.
    assert "稍等几秒" not in await chat.as_user("calm").ask("运费怎么算")
    clock.advance(seconds=Settings().rate_limit_seconds)
    assert "运费" in await chat.ask("运费怎么算")
    async with chat.services.sessions() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert stored == limit + 4  # every message kept, the calm customer's too


async def test_messages_spread_over_time_are_never_limited(chat: Chat, clock: FakeClock) -> None:
    settings = Settings()
    pause = settings.rate_limit_seconds / settings.rate_limit_messages
    for n in range(settings.rate_limit_messages * 2):
        assert "稍等几秒" not in await chat.ask(f"发什么快递{n}")
        clock.advance(seconds=pause)
