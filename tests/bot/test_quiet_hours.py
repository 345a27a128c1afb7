"""Quiet hours: when they are, when the last ones ended, and where a waiting message goes."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.quiet_hours import SPREAD, is_quiet, last_quiet_end, released_at
from core.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 29) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (at(20, 59), False),
        (at(21), True),
        (at(23, 30), True),
        (at(3), True),
        (at(8, 59), True),
        (at(9), False),
        (at(14), False),
    ],
)
def test_the_default_quiet_hours_are_the_shops_night(moment: datetime, quiet: bool) -> None:
    assert is_quiet(moment.astimezone(UTC), Settings()) is quiet


def test_quiet_hours_within_one_day() -> None:
    lunch = Settings(quiet_hours="12:00-13:30")

    assert is_quiet(at(12, 45), lunch) and not is_quiet(at(13, 30), lunch)
    assert last_quiet_end(at(15), lunch) == at(13, 30)
    assert last_quiet_end(at(11), lunch) == at(13, 30, day=28)


@pytest.mark.parametrize("hours", ["", "09:00-09:00"])
def test_no_quiet_hours(hours: str) -> None:
    settings = Settings(quiet_hours=hours)

    assert not is_quiet(at(3), settings)
    assert last_quiet_end(at(3), settings) is None


def test_the_last_end_of_the_night_is_this_morning_or_yesterdays() -> None:
    settings = Settings()

    assert last_quiet_end(at(9), settings) == at(9)
    assert last_quiet_end(at(23), settings) == at(9)
    assert last_quiet_end(at(8), settings) == at(9, day=28)


def test_the_shops_time_zone_decides() -> None:
    london = replace(Settings(), timezone="Europe/London")
    two_in_the_afternoon_in_london = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)

    assert not is_quiet(two_in_the_afternoon_in_london, london)
    assert is_quiet(two_in_the_afternoon_in_london, Settings())  # 22:00 in Shanghai


def test_released_messages_spread_over_the_first_half_hour_and_agree_everywhere() -> None:
    end = at(9).astimezone(UTC)
    times = [released_at(end, f"order:{n}:visit", Settings()) for n in range(200)]

    assert all(end <= moment < end + SPREAD for moment in times)
    assert max(times) - min(times) > timedelta(minutes=25)
    assert times == [released_at(end, f"order:{n}:visit", Settings()) for n in range(200)]


def test_a_short_break_between_quiet_hours_still_releases_everything_in_it() -> None:
    one_open_minute = Settings(quiet_hours="00:00-23:59")
    end = last_quiet_end(at(23, 59) + timedelta(seconds=30), one_open_minute)
    assert end == at(23, 59)

    times = [released_at(end, f"order:{n}:visit", one_open_minute) for n in range(50)]

    assert all(end <= moment < end + timedelta(minutes=1) for moment in times)
    assert not any(is_quiet(moment, one_open_minute) for moment in times)
