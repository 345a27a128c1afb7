"""The complaint tickets a test chat opened, and their notes."""

from sqlalchemy import select

from bot.services import Services
from storage.models import Ticket, TicketEvent


async def complaints(services: Services) -> list[Ticket]:
    async with services.sessions() as session:
        query = select(Ticket).where(Ticket.kind == "complaint").order_by(Ticket.id)
        return list(await session.scalars(query))


async def notes(services: Services, ticket: Ticket) -> list[str]:
    async with services.sessions() as session:
        query = select(TicketEvent.text).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "note"
        )
        return list(await session.scalars(query))
