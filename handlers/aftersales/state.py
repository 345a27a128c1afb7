"""The after-sales dialog's state: typed slots, stored as versioned JSON in the conversation.

Dialogs stored before versions (a plain dict of the same slot names) load as version 1; see
handlers.dialog_state.
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class AfterSalesState(DialogState):
    """What the after-sales dialog knows so far, and the question that is open."""

    FLOW: ClassVar[str] = "aftersales"

    step: str = ""  # the open question, a key of the steps table
    type: str | None = None  # return, exchange, refund or repair
    reason: str | None = None  # quality, no_reason or usage
    description: str = ""
    mentions: list[str] = field(default_factory=list)  # messages that may name the item
    media: list[str] = field(default_factory=list)
    reference: str = ""  # an order number waiting for the phone digits
    order_no: str | None = None
    item_id: int | None = None
    item_name: str | None = None
    declined_order: str | None = None
    declined_item: int | None = None
    insisted: bool = False  # submit although outside the policy
    description_skipped: bool = False
    photos_skipped: bool = False
    usage_done: bool = False  # the FAQ's help for a usage problem was given or had none
    policy_told: list[Any] | None = None  # [order_no, item_id, note] of the last refusal

    def forget(self, *names: str) -> None:
        """Empty the named slots again (an order or item the customer took back)."""
        blank = AfterSalesState()
        for name in names:
            setattr(self, name, getattr(blank, name))
