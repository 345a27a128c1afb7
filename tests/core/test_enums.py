"""The enums hold exactly the values the database holds, so stored rows read the same."""

from core.enums import FollowUpKind, FollowUpStatus, OrderStatus, TicketKind, TicketStatus
from core.ticket_numbers import PREFIXES
from storage.models import (
    FOLLOWUP_KINDS,
    FOLLOWUP_STATUSES,
    ORDER_STATUSES,
    TICKET_KINDS,
    TICKET_STATUSES,
)


def test_the_enums_and_the_schema_name_the_same_values() -> None:
    assert set(OrderStatus) == set(ORDER_STATUSES)
    assert set(TicketKind) == set(TICKET_KINDS) == set(PREFIXES)
    assert set(TicketStatus) == set(TICKET_STATUSES)
    assert set(FollowUpKind) == set(FOLLOWUP_KINDS)
    assert set(FollowUpStatus) == set(FOLLOWUP_STATUSES)


def test_a_stored_string_is_its_member() -> None:
    assert TicketStatus("waiting_customer") == "waiting_customer"
    assert TicketStatus("waiting_customer").active
    assert not TicketStatus.RESOLVED.active
