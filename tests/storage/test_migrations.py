"""The Alembic migrations: an empty database gets exactly the models' schema, safely, and
times come back as aware UTC."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import alembic_config, create_engine, create_session_factory, migrate
from storage.models import Base, Customer, FaqEntry, Identity, Message, Ticket

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database (SQLite, or PostgreSQL in the second run), not migrated."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_an_empty_database_has_no_tables_before_migrating(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(table_names) == set()


async def test_migrating_an_empty_database_creates_the_models_schema(
    engine: AsyncEngine,
) -> None:
    await migrate(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
        assert await connection.run_sync(table_names) >= set(Base.metadata.tables)
        assert await connection.run_sync(current_revision) == head_revision()


async def test_migrating_twice_is_harmless_and_keeps_the_data(engine: AsyncEngine) -> None:
    await migrate(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(
            FaqEntry(
                id="kept", question="问", answer="答", alternates=[], category="", updated_at=now()
            )
        )

    await migrate(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
        assert await connection.run_sync(current_revision) == head_revision()
    async with sessions() as session:
        assert await session.scalar(select(FaqEntry.answer).where(FaqEntry.id == "kept")) == "答"


def now() -> datetime:
    return datetime(2026, 11, 29, 11, 0, tzinfo=SHANGHAI)


async def stored_created_at(engine: AsyncEngine, created_at: datetime) -> datetime:
    """Store a customer created at this time and read the time back in a fresh session."""
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        customer = Customer(name="张三", phone="13800138000", created_at=created_at)
        session.add(customer)
    async with sessions() as session:
        loaded = await session.scalar(select(Customer.created_at).where(Customer.id == customer.id))
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 11, 29, 11, 0, tzinfo=SHANGHAI),
        datetime(2026, 11, 29, 3, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 22, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5))),
    ],
    ids=["shanghai", "utc", "new-york-with-microseconds"],
)
async def test_times_come_back_as_the_same_instant_in_utc(
    engine: AsyncEngine, created_at: datetime
) -> None:
    await migrate(engine)

    loaded = await stored_created_at(engine, created_at)

    assert loaded == created_at
    assert loaded.utcoffset() == timedelta(0)
    assert loaded.tzinfo is UTC


async def test_times_are_ordered_by_instant_whatever_their_offset(engine: AsyncEngine) -> None:
    await migrate(engine)
    sessions = create_session_factory(engine)
    early_in_utc = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    late_in_shanghai = datetime(2026, 11, 29, 11, 0, tzinfo=SHANGHAI)  # 03:00 UTC
    async with sessions() as session, session.begin():
        session.add_all(
            [
                Customer(name="late", phone="1001", created_at=late_in_shanghai),
                Customer(name="early", phone="1002", created_at=early_in_utc),
            ]
        )

    async with sessions() as session:
        names = (await session.scalars(select(Customer.name).order_by(Customer.created_at))).all()
        later = (
            await session.scalars(
                select(Customer.name).where(
                    Customer.created_at > datetime(2026, 11, 29, 10, 30, tzinfo=SHANGHAI)
                )
            )
        ).all()
    assert names == ["early", "late"]
    assert later == ["late"]


async def test_a_time_without_a_time_zone_is_refused(engine: AsyncEngine) -> None:
    await migrate(engine)
    sessions = create_session_factory(engine)

    with pytest.raises(StatementError, match="naive datetime"):
        async with sessions() as session, session.begin():
            session.add(Customer(name="张三", phone="1003", created_at=datetime(2026, 11, 29)))


# A shop's database as version 0002 left it: a chat with messages, a ticket with its history
# and notification, an outbox row. Later migrations rebuild some of these tables on SQLite.
# Plain SQL that both databases take (TRUE and FALSE rather than 1 and 0).
SHOP_AT_0002 = [
    "INSERT INTO customers (id, name, phone, created_at, failed_verifications)"
    " VALUES (1, '张三', '13800138000', '2026-11-01 00:00:00', 0)",
    "INSERT INTO identities (id, channel, external_id, customer_id, failed_verifications,"
    " created_at) VALUES (1, 'web', 'alice', 1, 0, '2026-11-01 00:00:00')",
    "INSERT INTO conversations (id, identity_id, mode, memory, updated_at)"
    " VALUES (1, 1, 'bot', '{}', '2026-11-01 00:00:00')",
    "INSERT INTO messages (id, conversation_id, identity_id, direction, sender, text,"
    " created_at) VALUES (1, 1, 1, 'in', 'customer', '你好', '2026-11-01 00:00:00')",
    "INSERT INTO messages (id, conversation_id, identity_id, direction, sender, text,"
    " reply_to_id, created_at) VALUES (2, 1, 1, 'out', 'bot', '您好', 1, '2026-11-01 00:00:00')",
    "INSERT INTO tickets (id, number, kind, status, identity_id, customer_id, severity, reason,"
    " description, media, within_policy, policy_note, first_response_due, resolution_due,"
    " created_at, updated_at) VALUES (1, 'AS20261101-0001', 'after_sales', 'open', 1, 1,"
    " 'normal', '', '', '[]', TRUE, '', '2026-11-01 04:00:00', '2026-11-03 00:00:00',"
    " '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
    "INSERT INTO ticket_events (id, ticket_id, time, kind, text, public, author)"
    " VALUES (1, 1, '2026-11-01 00:00:00', 'created', '', FALSE, 'bot')",
    "INSERT INTO staff_notifications (id, ticket_id, reason, urgent, created_at)"
    " VALUES (1, 1, 'new after_sales', FALSE, '2026-11-01 00:00:00')",
    "INSERT INTO outbox (id, identity_id, conversation_id, text, sender, status, attempts,"
    " next_attempt_at, last_error, message_id, created_at) VALUES (1, 1, 1, '工单已受理', 'bot',"
    " 'sent', 1, '2026-11-01 00:00:00', '', 2, '2026-11-01 00:00:00')",
]


async def test_a_shops_database_with_data_is_upgraded_and_keeps_it(engine: AsyncEngine) -> None:
    await migrate(engine, "0002")
    async with engine.begin() as connection:
        for statement in SHOP_AT_0002:
            await connection.exec_driver_sql(statement)

    await migrate(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
        assert await connection.run_sync(current_revision) == head_revision()
        if engine.dialect.name == "sqlite":  # PostgreSQL never stops checking foreign keys
            problems = await connection.exec_driver_sql("PRAGMA foreign_key_check")
            assert problems.all() == []
            enforced = await connection.exec_driver_sql("PRAGMA foreign_keys")
            assert enforced.scalar() == 1
    sessions = create_session_factory(engine)
    async with sessions() as session:
        assert (await session.scalars(select(Message.text).order_by(Message.id))).all() == [
            "你好",
            "您好",
        ]
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None and ticket.number == "AS20261101-0001"
        assert ticket.response_reminded == 0
        identity = await session.scalar(select(Identity))
        assert identity is not None and identity.active


async def test_web_chats_stored_under_another_spelling_are_found_after_the_upgrade(
    engine: AsyncEngine,
) -> None:
    await migrate(engine, "0010")
    spelled = {
        "web": ["C8-Allergy", " ｂｏｂ\u200b", "carol", "Carol", "dave"],
        "wechat_mp": ["o6_BmjrPTlm6"],  # platform ids keep their case
    }
    created = datetime(2026, 12, 1, tzinfo=UTC)
    rows = [
        {"channel": channel, "external_id": external_id, "created_at": created}
        for channel, ids in spelled.items()
        for external_id in ids
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(Identity), rows)

    await migrate(engine)

    sessions = create_session_factory(engine)
    async with sessions() as session:
        stored = (await session.scalars(select(Identity.external_id))).all()
    # "carol" already holds the one form of "Carol": both stay as they were.
    assert sorted(stored) == sorted(["c8-allergy", "bob", "carol", "Carol", "dave", "o6_BmjrPTlm6"])
