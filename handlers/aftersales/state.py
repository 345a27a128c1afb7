"""The after-sales dialog's state: typed slots, stored as versioned JSON in the conversation.

Dialogs stored before the state had a version (a plain dict of the same slot names, where an
empty slot was often left out) load as version 1.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

FLOW = "aftersales"
VERSION = 1


@dataclass
class AfterSalesState:
    """What the after-sales dialog knows so far, and the question that is open."""

    prompt: str = ""  # the template that asks the open question
    # When the question was asked (ISO time), for the dialog's timeout; unknown: long ago.
    since: str = "1970-01-01T00:00:00+00:00"
    step: str = ""  # the open question, a key of the steps table
    misses: int = 0  # answers that were none, counted by the router
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
    # Slots another part of the bot put in the dialog (the router's); kept as they are.
    others: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> "AfterSalesState":
        """The state from its stored JSON, of this version or from before versions."""
        known = {f.name for f in fields(cls)} - {"others"}
        values = {name: value for name, value in stored.items() if name in known}
        others = {
            name: value
            for name, value in stored.items()
            if name not in known and name not in ("flow", "version")
        }
        state = cls(**values, others=others)
        # Before versions, an empty slot could be stored as null.
        state.description = state.description or ""
        state.reference = state.reference or ""
        state.step = state.step or ""
        state.mentions = list(state.mentions or [])
        state.media = list(state.media or [])
        state.misses = int(state.misses or 0)
        return state

    def to_stored(self) -> dict[str, Any]:
        """The state as JSON for the conversation's dialog column."""
        stored = asdict(self)
        others = stored.pop("others")
        return {**others, "flow": FLOW, "version": VERSION, **stored}

    def forget(self, *names: str) -> None:
        """Empty the named slots again (an order or item the customer took back)."""
        blank = AfterSalesState()
        for name in names:
            setattr(self, name, getattr(blank, name))
