"""The survey comment's state: the visit just rated, waiting for a comment."""

from dataclasses import dataclass
from typing import ClassVar

from handlers.dialog_state import Interruption


@dataclass(kw_only=True)
class SurveyComment(Interruption):
    """The rated visit, and the ticket a low rating opened, if any."""

    FLOW: ClassVar[str] = "survey_comment"

    followup_id: int = 0
    ticket: str | None = None  # the number of the ticket a low rating opened
