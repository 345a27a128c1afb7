"""The complaint detail's state: the ticket waiting to hear what happened."""

from dataclasses import dataclass
from typing import ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class ComplaintDetail(DialogState):
    """The complaint ticket the answer is added to."""

    FLOW: ClassVar[str] = "complaint_detail"

    prompt: str = "complaint_ask_detail"
    ticket: str = ""  # its number
