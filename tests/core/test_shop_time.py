"""The shop's time: promised response times count staff time only; quiet hours."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.settings import Settings
from core.shop_time import SPREAD, after_business_hours, is_quiet, last_quiet_end, released_at
from handlers.tickets.opening import deadlines

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(29, 10), 2, at(29, 12)),  # within the day
        (at(29, 20, 30), 2, at(30, 10, 30)),  # half an hour tonight, the rest tomorrow
        (at(29, 22, 30), 2, at(30, 11)),  # at night: from the morning
        (at(30, 1), 0.5, at(30, 9, 30)),  # after midnight: this morning
        (at(29, 10), 20, at(30, 18)),  # 11 h today, 9 h tomorrow
    ],
)
def test_closed_hours_do_not_count(start: datetime, hours: float, due: datetime) -> None:
    assert after_business_hours(start, hours, Settings()) == due


def test_around_the_clock_every_hour_counts() -> None:
    settings = Settings(business_hours="00:00-00:00")
    assert after_business_hours(at(29, 23), 2, settings) == at(30, 1)


def test_night_shifts_span_midnight() -> None:
    settings = Settings(business_hours="22:00-06:00")
    assert after_business_hours(at(29, 5), 2, settings) == at(29, 23)
    assert after_business_hours(at(29, 23), 2, settings) == at(30, 1)


def test_a_complaint_at_night_is_due_in_the_morning_and_resolved_after() -> None:
    settings = replace(Settings(), complaint_first_response_hours=2, complaint_resolution_hours=1)
    first, resolution = deadlines("complaint", "normal", at(29, 22, 30), settings)
    assert first == at(30, 11)
    assert resolution == first  # never before the first answer


def test_a_clock_change_neither_adds_nor_removes_an_hour_of_work() -> None:
    settings = Settings(timezone="Europe/Berlin", business_hours="01:00-06:30")
    # Berlin moves its clocks from 02:00 to 03:00 on 31 March 2024, inside the shift.
    start = datetime(2024, 3, 30, 9, 1, tzinfo=UTC)
    assert after_business_hours(start, 4, settings) == datetime(2024, 3, 31, 4, 0, tzinfo=UTC)


def local(hour: int, minute: int = 0, day: int = 29) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (local(20, 59), False),
        (local(21), True),
        (local(23, 30), True),
        (local(3), True),
        (local(8, 59), True),
        (local(9), False),
        (local(14), False),
    ],
)
def test_the_default_quiet_hours_are_the_shops_night(moment: datetime, quiet: bool) -> None:
    assert is_quiet(moment.astimezone(UTC), Settings()) is quiet


def test_quiet_hours_within_one_day() -> None:
    lunch = Settings(quiet_hours="12:00-13:30")

    assert is_quiet(local(12, 45), lunch) and not is_quiet(local(13, 30), lunch)
    assert last_quiet_end(local(15), lunch) == local(13, 30)
    assert last_quiet_end(local(11), lunch) == local(13, 30, day=28)


@pytest.mark.parametrize("hours", ["", "09:00-09:00"])
def test_no_quiet_hours(hours: str) -> None:
    settings = Settings(quiet_hours=hours)

    assert not is_quiet(local(3), settings)
    assert last_quiet_end(local(3), settings) is None


def test_the_last_end_of_the_night_is_this_morning_or_yesterdays() -> None:
    settings = Settings()

    assert last_quiet_end(local(9), settings) == local(9)
    assert last_quiet_end(local(23), settings) == local(9)
    assert last_quiet_end(local(8), settings) == local(9, day=28)


def test_the_shops_time_zone_decides() -> None:
    london = replace(Settings(), timezone="Europe/London")
    two_in_the_afternoon_in_london = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)

    assert not is_quiet(two_in_the_afternoon_in_london, london)
    assert is_quiet(two_in_the_afternoon_in_london, Settings())  # 22:00 in Shanghai


def test_released_messages_spread_over_the_first_half_hour_and_agree_everywhere() -> None:
    end = local(9).astimezone(UTC)
    times = [released_at(end, f"order:{n}:visit", Settings()) for n in range(200)]

    assert all(end <= moment < end + SPREAD for moment in times)
    assert max(times) - min(times) > timedelta(minutes=25)
    assert times == [released_at(end, f"order:{n}:visit", Settings()) for n in range(200)]


def test_a_short_break_between_quiet_hours_still_releases_everything_in_it() -> None:
    one_open_minute = Settings(quiet_hours="00:00-23:59")
    end = last_quiet_end(local(23, 59) + timedelta(seconds=30), one_open_minute)
    assert end == local(23, 59)

    times = [released_at(end, f"order:{n}:visit", one_open_minute) for n in range(50)]

    assert all(end <= moment < end + timedelta(minutes=1) for moment in times)
    assert not any(is_quiet(moment, one_open_minute) for moment in times)
