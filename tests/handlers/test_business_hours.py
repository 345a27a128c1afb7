"""Promised response times count staff time only."""

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.settings import Settings
from handlers.business_hours import after_business_hours
from handlers.ticketing import deadlines

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
