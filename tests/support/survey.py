"""A satisfaction visit (回访) sent to a test chat, and what became of it."""

from typing import Any

from sqlalchemy import select

from bot.outreach.followup_delivery import send_due_followups
from bot.services import Services
from knowledge import ReplyTexts
from storage.models import FollowUp, Identity, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat

TEXTS = ReplyTexts.from_file()


ORDER_NO = "KF20261120001"


VISIT = "order:visit"


async def identity_of(services: Services, chat: Chat) -> Identity:
    """The chat's identity; the customer says hello first, as visits go to known chats."""
    await chat.ask("你好")
    async with services.sessions() as session:
        identity = await Repositories.for_session(session).identities.find(chat.channel, chat.user)
        assert identity is not None
        return identity


async def send_followup(
    services: Services, chat: Chat, subject: str, kind: str, text: str, **fields: Any
) -> None:
    """Schedule a follow-up for the chat, due now, and send it for real."""
    identity = await identity_of(services, chat)
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        assert await Repositories.for_session(session).followups.schedule(
            kind=kind,
            subject=subject,
            identity_id=identity.id,
            text=text,
            due_at=now,
            created_at=now,
            **fields,
        )
    await send_due(services)


async def send_due(services: Services) -> None:
    sent = await send_due_followups(services.sessions, services.clock, services.settings, {})
    assert sent.sent == 1


async def visit_sent(services: Services, chat: Chat) -> None:
    """A visit about a delivered order, sent to the chat just now."""
    async with services.sessions() as session:
        order = await Repositories.for_session(session).orders.by_number(ORDER_NO)
        assert order is not None
    text = TEXTS.render("followup_visit_delivery", order_no=ORDER_NO)
    await send_followup(services, chat, VISIT, "visit", text, order_id=order.id)


async def stored_visit(services: Services) -> FollowUp:
    async with services.sessions() as session:
        found = await Repositories.for_session(session).followups.by_subject(VISIT)
        assert found is not None
        return found


async def tickets_of(services: Services, kind: str) -> list[Ticket]:
    async with services.sessions() as session:
        found = await session.scalars(select(Ticket).where(Ticket.kind == kind))
        return list(found)
