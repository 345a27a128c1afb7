"""The shop's time: business hours and quiet hours, both one daily window in its time zone."""

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.settings import Settings

DAY = timedelta(days=1)
# A backlog released at the end of quiet hours goes out over this long, not all at once.
SPREAD = timedelta(minutes=30)


@dataclass(frozen=True)
class DailyWindow:
    """The same stretch of every day in one time zone, from `start` to `end`.

    An end before the start spans midnight; an end equal to the start is the whole day.
    """

    start: time
    end: time
    zone: ZoneInfo

    @property
    def whole_day(self) -> bool:
        return self.start == self.end

    def contains(self, moment: datetime) -> bool:
        """True when `moment` falls in [start, end) of its local day."""
        current = moment.astimezone(self.zone).time()
        if self.whole_day:
            return True
        if self.start < self.end:
            return self.start <= current < self.end
        return current >= self.start or current < self.end

    def next_start(self, moment: datetime) -> datetime:
        """The first start after `moment`, in the window's time zone."""
        return self._next(moment, self.start)

    def next_end(self, moment: datetime) -> datetime:
        """The first end after `moment`, in the window's time zone."""
        return self._next(moment, self.end)

    def last_end(self, moment: datetime) -> datetime:
        """The latest end at or before `moment`, in the window's time zone."""
        local = moment.astimezone(self.zone)
        candidate = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if candidate > local:
            candidate = datetime.combine(local.date() - DAY, self.end, tzinfo=self.zone)
        return candidate

    def outside(self) -> timedelta:
        """How long each day lies outside the window (a whole day for a whole-day window)."""
        start, end = (datetime.combine(datetime.min, moment) for moment in (self.start, self.end))
        return (start - end) % DAY or DAY

    def _next(self, moment: datetime, at: time) -> datetime:
        local = moment.astimezone(self.zone)
        candidate = datetime.combine(local.date(), at, tzinfo=self.zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + DAY, at, tzinfo=self.zone)
        return candidate


def business_hours(settings: Settings) -> DailyWindow:
    """When staff answer customers; "09:00-09:00" is around the clock."""
    return DailyWindow(*settings.opening_hours, settings.zone)


def quiet_hours(settings: Settings) -> DailyWindow | None:
    """When the bot sends nothing on its own; None when the shop has none."""
    window = settings.quiet_window
    if window is None or window[0] == window[1]:
        return None
    return DailyWindow(*window, settings.zone)


def is_open(now: datetime, settings: Settings) -> bool:
    """True while staff are at work."""
    return business_hours(settings).contains(now)


def next_opening(now: datetime, settings: Settings) -> datetime:
    """The next time staff start work after `now`, in the shop's time zone."""
    return business_hours(settings).next_start(now)


def after_business_hours(start: datetime, hours: float, settings: Settings) -> datetime:
    """The moment `hours` of staff time have passed after `start`; closed hours do not count.

    A promise to answer "within 2 hours" made at 20:30 comes due at 10:30 the next morning,
    not at 22:30 when nobody is there.
    """
    # Sums in UTC: adding hours to a local time would skip or repeat a clock change's hour.
    remaining = timedelta(hours=hours)
    window = business_hours(settings)
    if window.whole_day:
        return start.astimezone(UTC) + remaining
    moment = (start if window.contains(start) else window.next_start(start)).astimezone(UTC)
    while True:
        closing = window.next_end(moment).astimezone(UTC)
        if moment + remaining <= closing:
            return moment + remaining
        remaining -= closing - moment
        moment = window.next_start(closing).astimezone(UTC)


def is_quiet(moment: datetime, settings: Settings) -> bool:
    """True when `moment` falls in the shop's quiet hours."""
    window = quiet_hours(settings)
    return window is not None and window.contains(moment)


def last_quiet_end(moment: datetime, settings: Settings) -> datetime | None:
    """The most recent end of quiet hours at or before `moment` (UTC), None without any."""
    window = quiet_hours(settings)
    return None if window is None else window.last_end(moment).astimezone(UTC)


def released_at(quiet_end: datetime, subject: str, settings: Settings) -> datetime:
    """When a message that waited through quiet hours goes: a fixed place in the first
    `SPREAD` after they end (or in the time until they start again, when that is shorter),
    taken from its subject so every process agrees."""
    window = quiet_hours(settings)
    spread = min(SPREAD, window.outside() if window is not None else DAY)
    offset = zlib.crc32(subject.encode()) % max(int(spread.total_seconds()), 1)
    return quiet_end + timedelta(seconds=offset)


def clock_time(moment: time | datetime) -> str:
    """A time of day as customers write it: "9:00", "21:30"."""
    return f"{moment.hour}:{moment.minute:02d}"


def service_hours(settings: Settings) -> str:
    """The business hours as customers read them: "9:00–21:00"."""
    opens, closes = settings.opening_hours
    return f"{clock_time(opens)}–{clock_time(closes)}"


def is_today(moment: datetime, now: datetime, settings: Settings) -> bool:
    """True when `moment` falls on the same local day as `now`."""
    return moment.astimezone(settings.zone).date() == now.astimezone(settings.zone).date()


def local_clock_time(moment: datetime, settings: Settings) -> str:
    """A moment's time of day in the shop's time zone: "20:50"."""
    return clock_time(moment.astimezone(settings.zone))
