"""When a limit's yellow warning falls due: one working day before its end, but never before half of it has passed
(measured in working time on the official calendar), so a short limit does not arrive yellow."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.calendar import WorkCalendar
from engine.calendar_seed import package_schedule
from engine.clock import LOCAL_TZ
from engine.runtime.limits import halfway, warn_at


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    """The official 2025–2026 calendar as the platform seeds it (National Day 2026: 1–7 October off)."""
    return WorkCalendar(overrides={day: workday for day, (workday, _) in package_schedule().items()},
                        covered_years=frozenset({2025, 2026}))


def bj(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of 2026, Beijing time."""
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def test_a_step_arriving_on_saturday_due_monday_night_warns_at_monday_noon(calendar):
    arrived = bj(11, 21, 10)  # Saturday
    due = calendar.add_workdays(arrived, 1)
    assert due == bj(11, 24)  # 24:00 Monday
    assert warn_at(calendar, arrived, due, 1) == bj(11, 23, 12)


def test_one_working_day_from_a_weekday_warns_half_way_not_at_the_end_of_the_first_day(calendar):
    arrived = bj(11, 23, 10)  # Monday 10:00, due 24:00 Tuesday: 14 + 24 hours of working time
    assert warn_at(calendar, arrived, calendar.add_workdays(arrived, 1), 1) == bj(11, 24, 5)


@pytest.mark.parametrize(("days", "lead", "expected"), [
    (2, 1, bj(11, 25)),      # two working days: half way and one day before coincide closely; the later wins
    (3, 1, bj(11, 26)),      # a longer limit: one working day before its end, as always
    (20, 1, bj(12, 19)),     # due 24:00 Monday 21 December: warned at 24:00 Friday 18 December
    (3, 2, bj(11, 25, 5)),   # a power warning two days ahead: a three-day limit then warns half way
])
def test_longer_limits_warn_the_lead_before_their_end_unless_half_way_is_later(calendar, days, lead, expected):
    arrived = bj(11, 23, 10)
    assert warn_at(calendar, arrived, calendar.add_workdays(arrived, days), lead) == expected


def test_holidays_are_no_working_time(calendar):
    arrived = bj(9, 30, 16)  # the eve of National Day: the next working day is Thursday 8 October
    due = calendar.add_workdays(arrived, 1)
    assert due == bj(10, 9)
    # 8 hours on 30 September and 24 on 8 October: half way is 08:00 on the 8th, not during the holiday.
    assert warn_at(calendar, arrived, due, 1) == bj(10, 8, 8)


def test_the_warning_never_comes_before_the_arrival_nor_after_the_deadline(calendar):
    for hour in range(24):
        arrived = bj(11, 20, hour)  # Friday, any hour
        for days in (0, 0.5, 1, 2):
            due = calendar.add_workdays(arrived, days)
            moment = warn_at(calendar, arrived, due, 1)
            assert arrived < moment <= due or moment == due


def test_halfway_of_a_stretch_without_working_time_is_its_end(calendar):
    assert halfway(calendar, bj(10, 3, 9), bj(10, 4, 17)) == bj(10, 4, 17)  # National Day holidays
