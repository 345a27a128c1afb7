"""`python -m bot chat`: chat with the assistant in this terminal."""

import argparse
import sys

from bot.app import start_services
from bot.channels.console import chat_in_terminal
from bot.channels.user_ids import InvalidUserId
from core.clock import Clock
from core.settings import Settings


def add_chat_command(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal")
    chat.add_argument("--user", default="terminal", help="your chat id (default: terminal)")


async def chat(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    user = args.user
    services = await start_services(settings)
    try:
        await chat_in_terminal(services.assistant, services.clock, user)
    except InvalidUserId as error:
        print(f"--user: {error}", file=sys.stderr)
        return 2
    finally:
        await services.close()
    return 0
