"""Ticket numbers stay unique when many tickets are opened at once, from several processes."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from storage.database import create_engine, create_session_factory, migrate
from storage.models import Identity, Ticket
from storage.repositories import Repositories

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
AT_ONCE = 30


async def test_tickets_opened_at_once_each_get_a_number_of_their_own(database_url: str) -> None:
    # Two engines: two processes' connection pools on one database.
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        await migrate(engines[0])
        sessions = [create_session_factory(engine) for engine in engines]
        async with sessions[0]() as session, session.begin():
            identity = Identity(channel="web", external_id="u", failed_verifications=0)
            identity.created_at = NOW
            session.add(identity)
        identity_id = identity.id

        async def open_ticket(n: int) -> None:
            async with sessions[n % 2]() as session, session.begin():
                ticket = Ticket(
                    kind="callback", identity_id=identity_id, reason=f"第{n}个",
                    first_response_due=NOW, resolution_due=NOW, created_at=NOW, updated_at=NOW,
                )  # fmt: skip
                await Repositories.for_session(session).tickets.add(ticket, "CB20261129-")

        await asyncio.gather(*(open_ticket(n) for n in range(AT_ONCE)))
        async with sessions[0]() as session:
            numbers = (await session.scalars(select(Ticket.number))).all()
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(numbers) == [f"CB20261129-{n:04d}" for n in range(1, AT_ONCE + 1)]
