"""A dialog's state, stored as versioned JSON in the conversation: the slots every dialog has
(the router's), and the base each dialog's typed state builds on.

Dialogs stored before the state had a version (a plain dict of the same slot names, where an
empty slot was often left out or null) load as version 1.
"""

import copy
from collections.abc import Mapping
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from typing import Any, ClassVar, Self, TypeGuard

# When a dialog's question was asked, for one stored without: long ago.
LONG_AGO = "1970-01-01T00:00:00+00:00"
# Keys the stored JSON names the dialog and its shape with, not slots.
_LABELS = ("flow", "version")


@dataclass(kw_only=True)
class DialogState:
    """The slots every dialog has, which the router reads; a dialog's state adds its own."""

    FLOW: ClassVar[str] = ""  # the dialog's name in the stored JSON
    VERSION: ClassVar[int] = 1  # the stored shape's version

    prompt: str = ""  # the template that asks the open question; none for a soft dialog
    since: str = LONG_AGO  # when the question was asked (ISO time), for the dialog's timeout
    misses: int = 0  # answers that were none, counted by the router
    # A soft dialog reads only what answers it; anything else is routed as usual, unasked.
    soft: bool = False
    # Slots another part of the bot put in the dialog; kept as they are.
    others: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Self:
        """The state from its stored JSON, of this version or from before versions."""
        slots = {f.name: f for f in fields(cls) if f.name != "others"}
        values = {
            name: copy.deepcopy(value)
            for name, value in stored.items()
            # Before versions, an empty slot could be stored as null.
            if name in slots and (value is not None or _default(slots[name]) is None)
        }
        others = {
            name: copy.deepcopy(value)
            for name, value in stored.items()
            if name not in slots and name not in _LABELS
        }
        return cls(**values, others=others)

    @classmethod
    def holds(cls, stored: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
        """True when the stored dialog is one of this kind."""
        return stored is not None and stored.get("flow") == cls.FLOW

    def to_stored(self) -> dict[str, Any]:
        """The state as JSON for the conversation's dialog column."""
        slots = asdict(self)
        others = slots.pop("others")
        return {**others, "flow": self.FLOW, "version": self.VERSION, **slots}


@dataclass(kw_only=True)
class DialogFrame(DialogState):
    """Any stored dialog as the router sees it: its name, version and the slots every dialog
    has; its own slots are kept as they are."""

    flow: str = ""
    version: int | None = None  # none for a dialog stored before versions

    def to_stored(self) -> dict[str, Any]:
        """The dialog as JSON again, under its own name and version."""
        stored = super().to_stored()  # its flow and version slots are its own
        if self.version is None:
            del stored["version"]
        return stored


@dataclass(kw_only=True)
class Interruption(DialogState):
    """A soft dialog opened in the middle of another, which carries on after it."""

    soft: bool = True
    resume: dict[str, Any] | None = None  # the stored dialog it interrupted, if any

    def resumed_prompt(self) -> str:
        """The question of the dialog it interrupted, to ask again; none without one."""
        return DialogFrame.from_stored(self.resume).prompt if self.resume is not None else ""


def _default(slot: Field[Any]) -> Any:
    if slot.default_factory is not MISSING:
        return slot.default_factory()
    return None if slot.default is MISSING else slot.default
