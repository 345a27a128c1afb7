"""A stored string reads as its enum member, and every ticket kind has a number prefix."""

from core.enums import VISIT_KINDS, FollowUpKind, TicketKind, TicketStatus
from core.ticket_numbers import PREFIXES


def test_a_stored_string_is_its_member() -> None:
    assert TicketStatus("waiting_customer") == "waiting_customer"
    assert TicketStatus("waiting_customer").active
    assert not TicketStatus.RESOLVED.active
    assert "care" in VISIT_KINDS and FollowUpKind("care") in VISIT_KINDS


def test_every_ticket_kind_has_a_number_prefix() -> None:
    assert set(PREFIXES) == set(TicketKind)
    assert PREFIXES["after_sales"] == "AS"
