"""The terminal chat: lines in, replies printed, until the customer leaves."""

from collections.abc import Awaitable, Callable

from bot.channels.console import chat_in_terminal
from bot.services import Services


def scripted(lines: list[str]) -> Callable[[str], Awaitable[str]]:
    pending = list(lines)

    async def read_line(prompt: str) -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    return read_line


async def test_terminal_chat_answers_each_line(services: Services) -> None:
    printed: list[str] = []
    await chat_in_terminal(
        services.assistant,
        services.clock,
        "tester",
        read_line=scripted(["你好", "KF20261120001", "8000"]),
        write=printed.append,
    )
    transcript = "\n".join(printed)
    assert "客服：您好" in transcript
    assert "手机号" in transcript
    assert "SF1234567890123" in transcript
    assert printed[-1] == "再见～"


async def test_quit_stops_before_the_next_line(services: Services) -> None:
    printed: list[str] = []
    await chat_in_terminal(
        services.assistant,
        services.clock,
        "tester",
        read_line=scripted(["/quit", "你好"]),
        write=printed.append,
    )
    assert not any(line.startswith("客服：") for line in printed)
