"""The product pick's state: the products offered for a question, one to be picked."""

from dataclasses import dataclass, field
from typing import ClassVar

from handlers.dialog_state import DialogState


@dataclass(kw_only=True)
class ProductPick(DialogState):
    """Which product a question was about: the ones offered (none: its name is asked for)."""

    FLOW: ClassVar[str] = "product_pick"

    soft: bool = True
    skus: list[str] = field(default_factory=list)  # in the order they were numbered
    wants: list[str] = field(default_factory=lambda: ["price"])  # price, stock: what to tell
    question: str = ""  # the customer's question, as written
