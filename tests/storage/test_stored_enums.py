"""Every status, kind, mode, role and channel name kefu stores fits its column, and goes
through the database driver and back as the same string."""

from enum import StrEnum

import pytest
from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

from bot.services import Services
from core.enums import (
    ChannelName,
    ConversationMode,
    Direction,
    FollowUpKind,
    FollowUpStatus,
    HandoverEnd,
    HandoverReason,
    HandoverStatus,
    OrderStatus,
    OutboxStatus,
    Sender,
    StaffRole,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from storage.models import (
    Conversation,
    FollowUp,
    Handover,
    Identity,
    Message,
    Order,
    OutboxMessage,
    Staff,
    Ticket,
    TicketEvent,
)

COLUMNS: list[tuple[InstrumentedAttribute[str] | InstrumentedAttribute[str | None], type[StrEnum]]]
COLUMNS = [
    (Identity.channel, ChannelName),
    (Conversation.mode, ConversationMode),
    (Message.direction, Direction),
    (Message.sender, Sender),
    (Order.status, OrderStatus),
    (Ticket.kind, TicketKind),
    (Ticket.status, TicketStatus),
    (TicketEvent.kind, TicketEventKind),
    (TicketEvent.from_status, TicketStatus),
    (TicketEvent.to_status, TicketStatus),
    (OutboxMessage.status, OutboxStatus),
    (OutboxMessage.sender, Sender),
    (FollowUp.kind, FollowUpKind),
    (FollowUp.status, FollowUpStatus),
    (Staff.role, StaffRole),
    (Handover.reason, HandoverReason),
    (Handover.status, HandoverStatus),
    (Handover.end_reason, HandoverEnd),
]
IDS = [f"{column.class_.__name__}.{column.key}" for column, _ in COLUMNS]


@pytest.mark.parametrize(("column", "enum"), COLUMNS, ids=IDS)
def test_every_value_fits_its_column(
    column: InstrumentedAttribute[str], enum: type[StrEnum]
) -> None:
    # PostgreSQL refuses a longer value (SQLite would keep it): the migrations make the models'
    # lengths (see test_migrations).
    column_type = column.property.columns[0].type
    assert isinstance(column_type, String) and column_type.length is not None
    assert [m for m in enum if len(m) > column_type.length] == []


async def test_every_member_goes_to_the_database_and_back_as_its_string(
    services: Services,
) -> None:
    async with services.engine.connect() as connection:
        for column, enum in COLUMNS:
            column_type = column.property.columns[0].type
            for member in enum:
                stored = await connection.scalar(
                    select(bindparam("value", member, type_=column_type))
                )
                assert (type(stored), stored) == (str, member.value)
                assert enum(stored) is member
