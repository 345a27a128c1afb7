"""The verification dialog's state: the order waiting for the phone number's last digits."""

from dataclasses import dataclass
from typing import ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class VerificationState(DialogState):
    """An order reference to show once the digits are right, and what to show of it."""

    FLOW: ClassVar[str] = "verify"

    prompt: str = "verify_ask"
    reference: str = ""  # the order number the customer gave
    purpose: str = "order"  # order, logistics or reorder: what to show once verified
