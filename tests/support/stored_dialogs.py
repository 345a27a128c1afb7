"""Dialogs written into a conversation as an earlier version of the bot stored them."""

from typing import Any

from sqlalchemy import update

from storage.models import Conversation
from tests.support.chat import Chat


async def store_dialog(chat: Chat, dialog: dict[str, Any]) -> None:
    """Put `dialog`, as it is, in the chat's conversation (which the chat opened already)."""
    conversation = await chat.conversation()
    async with chat.services.sessions() as session, session.begin():
        await session.execute(
            update(Conversation).where(Conversation.id == conversation.id).values(dialog=dialog)
        )


async def stored_dialog(chat: Chat) -> dict[str, Any]:
    """The chat's open dialog as stored now."""
    dialog = (await chat.conversation()).dialog
    assert dialog is not None
    return dialog


def before_versions(chat: Chat, flow: str, prompt: str = "", **slots: Any) -> dict[str, Any]:
    """A dialog as the bot stored it before versions, asked just now: a plain dict of its
    name, question, time and slots."""
    return {"flow": flow, "prompt": prompt, "since": chat.clock.now().isoformat(), **slots}


def asking_before_versions(chat: Chat, **more: Any) -> dict[str, Any]:
    """A question for an order number, asked just now, as stored before versions."""
    return before_versions(chat, "ask_order", "ask_order_number", purpose="order", **more)
