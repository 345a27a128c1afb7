"""`python -m bot remind CUSTOMER AT TEXT`: a message staff schedule from the command line."""

import argparse

import pytest
from sqlalchemy import select

from bot.cli.remind import add_remind_command, remind
from bot.outreach.followup_delivery import send_due_followups
from bot.services import Services
from core.settings import Settings
from storage.models import AuditEntry, OutboxMessage
from tests.support.chat import Chat
from tests.support.clock import FakeClock


def arguments(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_remind_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["remind", *argv])


async def test_the_message_is_scheduled_and_sent_at_its_time(
    services: Services,
    settings: Settings,
    clock: FakeClock,
    chat: Chat,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await chat.ask("你好")
    args = arguments("web:alice", "2026-11-29 14:00", "您的包裹明天到，请留意")

    assert await remind(settings, clock, args) == 0
    assert (
        capsys.readouterr().out == "scheduled for 2026-11-29 14:00 (Asia/Shanghai) to web:alice\n"
    )

    clock.advance(hours=2, minutes=59)
    await send_due_followups(services.sessions, clock, settings, {})
    clock.advance(minutes=1)
    await send_due_followups(services.sessions, clock, settings, {})
    async with services.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "message_scheduled")
        )
    [row] = [row for row in rows if row.text == "您的包裹明天到，请留意"]
    assert row.sender == "staff" and row.created_at == clock.now()
    assert audit is not None and audit.staff_id is None and audit.subject == "web:alice"


async def test_a_time_with_an_offset_is_shown_in_the_shops_zone(
    settings: Settings, clock: FakeClock, chat: Chat, capsys: pytest.CaptureFixture[str]
) -> None:
    await chat.ask("你好")
    args = arguments("web:alice", "2026-11-29T06:00+00:00", "下午好")
    assert await remind(settings, clock, args) == 0
    assert "scheduled for 2026-11-29 14:00 (Asia/Shanghai)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (("web:nobody", "2026-11-29 14:00", "hi"), "remind: no chat web:nobody"),
        (("web:alice", "next week", "hi"), "remind: unreadable time 'next week'"),
        (("web:alice", "2026-11-29 09:00", "hi"), "remind: that time has passed"),
        (("web:alice", "2026-11-29 14:00", "  "), "remind: the message is empty"),
    ],
)
async def test_refusals_say_why_and_exit_with_2(
    settings: Settings,
    clock: FakeClock,
    chat: Chat,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, str, str],
    why: str,
) -> None:
    await chat.ask("你好")
    assert await remind(settings, clock, arguments(*argv)) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.startswith(why)
