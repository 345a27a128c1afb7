"""Quiet hours: when the bot sends nothing on its own, and when a waiting message may go.

A leaf module (settings only), so the scheduler and its tests share one definition.
"""

import zlib
from datetime import UTC, datetime, time, timedelta

from core.settings import Settings

# A backlog released at the end of quiet hours goes out over this long, not all at once.
SPREAD = timedelta(minutes=30)


def within(current: time, start: time, end: time) -> bool:
    """True when a time of day falls in [start, end); an end before the start spans midnight."""
    if start < end:
        return start <= current < end
    return current >= start or current < end


def is_quiet(moment: datetime, settings: Settings) -> bool:
    """True when `moment` falls in the shop's quiet hours."""
    window = settings.quiet_window
    if window is None or window[0] == window[1]:
        return False
    return within(moment.astimezone(settings.zone).time(), *window)


def last_quiet_end(moment: datetime, settings: Settings) -> datetime | None:
    """The most recent end of quiet hours at or before `moment` (UTC), None without any."""
    window = settings.quiet_window
    if window is None or window[0] == window[1]:
        return None
    local = moment.astimezone(settings.zone)
    end = datetime.combine(local.date(), window[1], tzinfo=local.tzinfo)
    if end > local:
        end = datetime.combine(local.date() - timedelta(days=1), window[1], tzinfo=local.tzinfo)
    return end.astimezone(UTC)


def released_at(quiet_end: datetime, subject: str, settings: Settings) -> datetime:
    """When a message that waited through quiet hours goes: a fixed place in the first
    `SPREAD` after they end (or in the time until they start again, when that is shorter),
    taken from its subject so every process agrees."""
    spread = min(SPREAD, _open_time(settings))
    offset = zlib.crc32(subject.encode()) % max(int(spread.total_seconds()), 1)
    return quiet_end + timedelta(seconds=offset)


def _open_time(settings: Settings) -> timedelta:
    """How long the time between two quiet hours lasts each day."""
    window = settings.quiet_window
    if window is None:
        return timedelta(days=1)
    start, end = (datetime.combine(datetime.min, moment) for moment in window)
    return (start - end) % timedelta(days=1) or timedelta(days=1)
