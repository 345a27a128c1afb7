"""Who did something at the desk, and when."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Actor:
    """The person behind a desk action: a console user (`staff_id`) or the command line."""

    name: str  # as the ticket's history shows it
    at: datetime
    staff_id: int | None = None  # None for the command line

    @classmethod
    def command_line(cls, at: datetime) -> "Actor":
        """Whoever runs `python -m bot`, which signs as plain staff."""
        return cls(name="staff", at=at)
