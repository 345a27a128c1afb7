"""The handover offer's state: a person offered, yes or no, and the dialog to carry on."""

from dataclasses import dataclass
from typing import ClassVar

from handlers.dialog_state import Interruption


@dataclass(kw_only=True)
class HandoverOffer(Interruption):
    """A person offered for the message the bot could not answer."""

    FLOW: ClassVar[str] = "handover_offer"

    question: str = ""  # the message, for the handover's description
