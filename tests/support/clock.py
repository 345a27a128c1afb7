"""A clock that moves only when a test says so, and the time every test starts at."""

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)
