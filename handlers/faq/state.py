"""The FAQ pick's state: the questions offered, one of which the next message may pick."""

from dataclasses import dataclass, field
from typing import ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class FaqPick(DialogState):
    """The FAQ entries offered as "did you mean", in the order they were numbered."""

    FLOW: ClassVar[str] = "faq_pick"

    soft: bool = True
    ids: list[str] = field(default_factory=list)
