"""chats_and_customers: which of some chats and customers have rows meeting conditions."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import TicketKind, TicketStatus
from storage.models import Ticket
from storage.repositories import Repositories
from storage.repositories.lookups import chats_and_customers
from tests.support.factories import add_chat, add_customer, add_ticket


async def test_rows_are_found_by_chat_or_by_customer_and_conditions_hold(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    by_chat = await add_chat(repos, now=now)
    by_customer = await add_chat(repos, now=now)
    closed_only = await add_chat(repos, now=now)
    not_asked = await add_chat(repos, now=now)
    await add_ticket(repos, by_chat)
    await add_ticket(repos, by_customer, customer=customer)
    await add_ticket(repos, closed_only, status=TicketStatus.CLOSED)
    await add_ticket(repos, not_asked)

    chats, customers = await chats_and_customers(
        session,
        Ticket.identity_id,
        Ticket.customer_id,
        [by_chat.identity.id, closed_only.identity.id],
        [customer.id],
        Ticket.status == TicketStatus.OPEN,
    )

    assert chats == {by_chat.identity.id, by_customer.identity.id}
    assert customers == {customer.id}


async def test_complaining_asks_only_about_active_complaints(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    customer = await add_customer(session)
    complaining = await add_chat(repos, customer=customer, now=now)
    asking = await add_chat(repos, now=now)
    await add_ticket(repos, complaining, kind=TicketKind.COMPLAINT, customer=customer)
    await add_ticket(repos, asking, kind=TicketKind.AFTER_SALES)

    found = await repos.tickets.complaining(
        [complaining.identity.id, asking.identity.id], [customer.id]
    )

    assert found == ({complaining.identity.id}, {customer.id})
    assert await repos.tickets.complaining([], []) == (set(), set())
