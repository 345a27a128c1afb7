"""Quiet hours: when the bot sends nothing on its own, and when a waiting message may go.

A leaf module (settings only), so the scheduler and its tests share one definition.
"""

import zlib
from datetime import UTC, datetime, time, timedelta

from bot.settings import Settings

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


def released_at(quiet_end: datetime, subject: str) -> datetime:
    """When a message that waited through quiet hours goes: a fixed place in the first
    `SPREAD` after they end, taken from its subject so every process agrees."""
    offset = zlib.crc32(subject.encode()) % int(SPREAD.total_seconds())
    return quiet_end + timedelta(seconds=offset)
