"""The console channel: chat with the assistant in a terminal."""

import asyncio
from collections.abc import Awaitable, Callable

from bot.channels.user_ids import chat_user_id
from bot.pipeline.assistant import Assistant
from core.clock import Clock
from core.enums import ChannelName
from core.messages import Incoming

CHANNEL = ChannelName.CONSOLE


async def _read_line(prompt: str) -> str:
    return await asyncio.to_thread(input, prompt)


async def chat_in_terminal(
    assistant: Assistant,
    clock: Clock,
    user: str,
    read_line: Callable[[str], Awaitable[str]] = _read_line,
    write: Callable[[str], None] = print,
) -> None:
    """Read the customer's lines and print the replies until end of input or "/quit"."""
    user = chat_user_id(user)  # as every channel does: one chat however it is spelled
    write("kefu 终端聊天（输入 /quit 或按 Ctrl-D 退出）")
    while True:
        try:
            line = await read_line("你：")
        except EOFError:
            break
        if line.strip() == "/quit":
            break
        for reply in await assistant.handle(Incoming(CHANNEL, user, line, clock.now())):
            write(f"客服：{reply.text}")
    write("再见～")
