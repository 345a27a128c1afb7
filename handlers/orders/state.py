"""The order-question dialog's state: an order number asked for, and what it is wanted for."""

from dataclasses import dataclass
from typing import ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class OrderNumberQuestion(DialogState):
    """Waiting for an order number; `purpose` says what to show of the order."""

    FLOW: ClassVar[str] = "ask_order"

    prompt: str = "ask_order_number"
    purpose: str = "order"  # order, logistics or reorder
