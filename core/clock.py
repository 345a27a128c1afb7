"""Where the current time comes from; tests pass a clock they move by hand.

A leaf module with no project imports, so handlers may depend on it.
"""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
