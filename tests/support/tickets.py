"""Tickets opened and updated the way the desk does, for tests that need one."""

import re
from typing import Any

from bot.desk.actor import Actor
from bot.desk.tickets import update_ticket
from bot.services import Services
from handlers.tickets.opening import PREFIXES, deadlines
from knowledge import ReplyTexts
from knowledge.replies import DEFAULT_REPLIES
from storage.models import Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

COMPLAINT = re.compile(r"CP\d{8}-\d{4}")
TEXTS = ReplyTexts.from_file(DEFAULT_REPLIES)


async def new_ticket(
    chat: Chat, kind: str = "after_sales", severity: str = "normal", **fields: Any
) -> Ticket:
    """A ticket opened now for the chat's customer, who has said something first."""
    await chat.say("你好")
    services, now = chat.services, chat.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        day = now.astimezone(services.settings.zone).strftime("%Y%m%d")
        first_response_due, resolution_due = deadlines(kind, severity, now, services.settings)
        return await repos.tickets.add(
            Ticket(
                number=await repos.tickets.next_number(f"{PREFIXES[kind]}{day}-"),
                kind=kind,
                status="open",
                identity_id=identity.id,
                customer_id=identity.customer_id,
                severity=severity,
                first_response_due=first_response_due,
                resolution_due=resolution_due,
                created_at=now,
                updated_at=now,
                **fields,
            )
        )


async def update(services: Services, clock: FakeClock, number: str, **changes: Any) -> Any:
    return await update_ticket(
        services.sessions,
        number,
        actor=Actor.command_line(clock.now()),
        texts=TEXTS,
        settings=services.settings,
        **changes,
    )


async def complain(chat: Chat, text: str = "快递太慢了，我要投诉") -> str:
    """A complaint opened by chatting; its number."""
    answer = await chat.ask(text)
    found = COMPLAINT.search(answer)
    assert found is not None, answer
    return found.group()
