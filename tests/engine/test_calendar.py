"""WorkCalendar arithmetic on the package's 2004–2026 schedule (no database)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from engine import calendar as calmod
from engine.calendar import WORK_HOURS_PER_DAY, CalendarError, WorkCalendar, uncovered_message
from engine.calendar_seed import package_schedule, package_years
from engine.clock import LOCAL_TZ


def bj(*args: int) -> datetime:
    """A Beijing wall-clock moment."""
    return datetime(*args, tzinfo=LOCAL_TZ)


def end_of(y: int, m: int, d: int) -> datetime:
    """24:00 Beijing of the given day, as aware UTC."""
    return (bj(y, m, d) + timedelta(days=1)).astimezone(UTC)


def make_calendar(extra: dict[date, bool] | None = None, covered: set[int] | None = None) -> WorkCalendar:
    schedule = package_schedule()
    overrides = {d: w for d, (w, _) in schedule.items()} | (extra or {})
    years = set(package_years()) | (covered or set())
    return WorkCalendar(overrides, {d: n for d, (_, n) in schedule.items()}, frozenset(years))


@pytest.fixture
def cal() -> WorkCalendar:
    return make_calendar()


@pytest.fixture(autouse=True)
def _fresh_warnings() -> None:
    # The uncovered-year warning is logged once per process; each test starts afresh.
    calmod._warned_years.clear()


# -- days ---------------------------------------------------------------------------------------------


def test_package_facts_the_tests_rely_on(cal: WorkCalendar) -> None:
    assert all(not cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(date(2026, 9, 20)) and cal.is_workday(date(2026, 10, 10))  # Sun, Sat make-up
    assert not cal.is_workday(date(2026, 9, 25))  # 中秋节, a Friday
    assert cal.name(date(2026, 10, 1)) == "国庆节" and cal.name(date(2026, 10, 10)) == "调休上班"
    assert cal.name(date(2026, 2, 16)) == "春节"


def test_uncovered_year_falls_back_to_monday_to_friday(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2027, 1, 1))  # a Friday; 元旦 2027 is not in the package
    assert not cal.is_workday(date(2027, 1, 2))


def test_empty_calendar_is_monday_to_friday() -> None:
    empty = WorkCalendar()
    week = [empty.is_workday(date(2026, 10, d)) for d in range(1, 8)]
    assert week == [True, True, False, False, True, True, True]


# -- add_workdays --------------------------------------------------------------------------------------


def test_national_day_2026_skips_holidays_and_counts_makeup_saturday(cal: WorkCalendar) -> None:
    start = bj(2026, 9, 28, 10, 0)  # Monday
    # Sep 29 (1), Sep 30 (2), Oct 1–7 holiday, Oct 8 (3), Oct 9 (4), Sat Oct 10 make-up (5), Mon Oct 12 (6)
    assert cal.add_workdays(start, 2) == end_of(2026, 9, 30)
    assert cal.add_workdays(start, 3) == end_of(2026, 10, 8)
    assert cal.add_workdays(start, 5) == end_of(2026, 10, 10)
    assert cal.add_workdays(start, 6) == end_of(2026, 10, 12)
    assert cal.add_workdays(start, 5).tzinfo is UTC
    assert cal.add_workdays(start, 5) == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)


def test_makeup_sunday_before_national_day(cal: WorkCalendar) -> None:
    # Fri Sep 18 → Sat 19 rest, Sun 20 is a make-up workday
    assert cal.add_workdays(bj(2026, 9, 18, 15, 0), 1) == end_of(2026, 9, 20)
    # Thu Sep 24 → Fri 25 is 中秋节, weekend, Mon 28
    assert cal.add_workdays(bj(2026, 9, 24, 15, 0), 1) == end_of(2026, 9, 28)


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    start = bj(2026, 2, 13, 15, 0)  # Friday before the holiday
    assert cal.add_workdays(start, 1) == end_of(2026, 2, 14)  # Saturday make-up
    assert cal.add_workdays(start, 2) == end_of(2026, 2, 24)  # Feb 15–23 off
    assert cal.add_workdays(start, 5) == end_of(2026, 2, 27)
    assert cal.add_workdays(start, 6) == end_of(2026, 2, 28)  # Saturday make-up again


def test_friday_start_ends_next_monday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(bj(2026, 3, 6, 16, 0), 1) == end_of(2026, 3, 9)
    assert cal.add_workdays(bj(2026, 3, 6, 16, 0), 5) == end_of(2026, 3, 13)


def test_late_start_counts_from_the_next_day_in_beijing_time(cal: WorkCalendar) -> None:
    assert cal.add_workdays(bj(2026, 3, 10, 23, 59, 59), 1) == end_of(2026, 3, 11)
    # 16:30 UTC on Mar 10 is already 00:30 on Mar 11 in Beijing: Mar 11 is the (uncounted) start day.
    assert cal.add_workdays(datetime(2026, 3, 10, 16, 30, tzinfo=UTC), 1) == end_of(2026, 3, 12)


def test_zero_days_is_the_end_of_the_start_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(bj(2026, 3, 7, 10, 0), 0) == end_of(2026, 3, 7)  # even on a Saturday
    deadline = end_of(2026, 3, 9)
    assert cal.add_workdays(deadline, 0) == deadline  # 24:00 is already the end of its day


def test_chained_periods_add_up(cal: WorkCalendar) -> None:
    start = bj(2026, 9, 28, 10, 0)
    assert cal.add_workdays(cal.add_workdays(start, 1), 1) == cal.add_workdays(start, 2)
    assert cal.add_workdays(cal.add_workdays(start, 2), 3) == cal.add_workdays(start, 5)


def test_fractional_days_go_on_in_working_hours(cal: WorkCalendar) -> None:
    start = bj(2026, 3, 9, 10, 0)  # Monday
    assert WORK_HOURS_PER_DAY == 7
    assert cal.add_workdays(start, 0.5) == bj(2026, 3, 10, 13, 30).astimezone(UTC)  # 09–12, 13–13:30
    assert cal.add_workdays(start, 1.5) == bj(2026, 3, 11, 13, 30).astimezone(UTC)
    assert cal.add_workdays(bj(2026, 9, 29, 10, 0), 1.25) == bj(2026, 10, 8, 10, 45).astimezone(UTC)


def test_bad_input_is_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError):
        cal.add_workdays(datetime(2026, 3, 9, 10, 0), 1)  # naive
    with pytest.raises(CalendarError):
        cal.add_workdays(bj(2026, 3, 9), -1)
    with pytest.raises(CalendarError):
        cal.add_workhours(bj(2026, 3, 9), float("nan"))


def test_a_deadline_beyond_ten_years_is_refused_instead_of_counted_day_by_day(cal: WorkCalendar) -> None:
    # Model code reaches these (workdays(n) in a timer): 10**9 days would hold a worker for hours.
    assert cal.add_workdays(bj(2026, 3, 9), calmod.MAX_WORKDAYS) > bj(2035, 1, 1)
    for huge in (calmod.MAX_WORKDAYS + 1, 10**9):
        with pytest.raises(CalendarError, match="at most"):
            cal.add_workdays(bj(2026, 3, 9), huge)
        with pytest.raises(CalendarError, match="at most"):
            cal.minus_workdays(bj(2026, 3, 9), huge)
    with pytest.raises(CalendarError, match="at most"):
        cal.add_workhours(bj(2026, 3, 9), 10**9)


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    no_work = WorkCalendar({date(2026, 1, 1) + timedelta(days=i): False for i in range(800)}, {}, frozenset())
    with pytest.raises(CalendarError):
        no_work.add_workdays(bj(2026, 1, 1), 1)


# -- uncovered years ---------------------------------------------------------------------------------


def test_crossing_into_uncovered_2027_falls_back_and_warns(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    start = bj(2026, 12, 28, 10, 0)  # Monday
    with caplog.at_level(logging.WARNING, logger="sunshine.calendar"):
        # Dec 29, 30, 31, Fri Jan 1 2027 (no schedule: a weekday counts), Mon Jan 4
        assert cal.add_workdays(start, 5) == end_of(2027, 1, 4)
        cal.add_workdays(start, 6)
    logged = [r for r in caplog.records if r.name == "sunshine.calendar" and "2027" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING  # once per year per process
    assert "尚未录入" in logged[0].getMessage()
    assert cal.warnings_for(start) == [uncovered_message(2027)]
    assert uncovered_message(2027) == (
        "2027 年的法定节假日安排尚未录入，期限按周一至周五计算，请管理员录入国务院办公厅通知"
    )
    (english,) = cal.warnings_for(start, lang="en")
    assert "2027" in english and "Monday to Friday" in english


def test_admin_entered_2027_holiday_changes_the_result() -> None:
    cal = make_calendar({date(2027, 1, 1): False})
    assert cal.add_workdays(bj(2026, 12, 28, 10, 0), 5) == end_of(2027, 1, 5)
    covered = make_calendar({date(2027, 1, 1): False}, covered={2027})
    assert covered.warnings_for(bj(2026, 12, 28)) == []


def test_warnings_within_the_horizon_only(cal: WorkCalendar) -> None:
    assert cal.warnings_for(bj(2026, 6, 1)) == []
    assert cal.warnings_for(bj(2026, 11, 1), horizon_days=60) == []  # to Dec 31
    assert cal.warnings_for(bj(2026, 11, 2), horizon_days=60) == [uncovered_message(2027)]
    assert cal.uncovered_years(date(2026, 1, 1), date(2029, 1, 1)) == [2027, 2028, 2029]
    assert cal.uncovered_years(date(2005, 1, 1), date(2026, 12, 31)) == []


def test_covered_years_do_not_log(cal: WorkCalendar, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sunshine.calendar"):
        cal.add_workdays(bj(2026, 3, 9), 30)
    assert not caplog.records


def test_stored_day_equal_to_the_default_changes_nothing() -> None:
    # An administrator keys in the whole notice, including a Sunday holiday and an ordinary Monday.
    noisy = make_calendar({date(2027, 10, 3): False, date(2027, 10, 11): True})
    plain = make_calendar()
    for n in range(10):
        assert noisy.add_workdays(bj(2027, 9, 28, 10), n) == plain.add_workdays(bj(2027, 9, 28, 10), n)


# -- working hours -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (bj(2026, 3, 9, 11, 0), 2, bj(2026, 3, 9, 14, 0)),  # across lunch
        (bj(2026, 3, 9, 12, 30), 1, bj(2026, 3, 9, 14, 0)),  # starting in lunch
        (bj(2026, 3, 9, 9, 0), 3, bj(2026, 3, 9, 12, 0)),  # ends exactly at lunch
        (bj(2026, 3, 9, 9, 0), 7, bj(2026, 3, 9, 17, 0)),  # one whole office day (09–12, 13–17)
        (bj(2026, 3, 9, 9, 0), 8, bj(2026, 3, 10, 10, 0)),
        (bj(2026, 3, 9, 7, 0), 1, bj(2026, 3, 9, 10, 0)),  # before opening
        (bj(2026, 3, 9, 18, 0), 1, bj(2026, 3, 10, 10, 0)),  # evening
        (bj(2026, 3, 6, 16, 0), 3, bj(2026, 3, 9, 11, 0)),  # over the weekend
        (bj(2026, 3, 7, 10, 0), 0.5, bj(2026, 3, 9, 9, 30)),  # starting on a Saturday
        (bj(2026, 9, 30, 16, 0), 2, bj(2026, 10, 8, 10, 0)),  # over 国庆
        (bj(2026, 10, 9, 16, 0), 2, bj(2026, 10, 10, 10, 0)),  # into the make-up Saturday
        (bj(2026, 3, 9, 11, 0), 0, bj(2026, 3, 9, 11, 0)),
    ],
)
def test_add_workhours(cal: WorkCalendar, start: datetime, hours: float, expected: datetime) -> None:
    assert cal.add_workhours(start, hours) == expected.astimezone(UTC)


def test_minus_workhours_mirrors_add(cal: WorkCalendar) -> None:
    assert cal.minus_workhours(bj(2026, 3, 9, 14, 0), 2) == bj(2026, 3, 9, 11, 0).astimezone(UTC)
    assert cal.minus_workhours(bj(2026, 10, 8, 10, 0), 2) == bj(2026, 9, 30, 16, 0).astimezone(UTC)
    assert cal.minus_workhours(end_of(2026, 3, 10), 4) == bj(2026, 3, 10, 13, 0).astimezone(UTC)


# -- yellow warning --------------------------------------------------------------------------------


def test_minus_workdays_at_end_of_day(cal: WorkCalendar) -> None:
    assert cal.minus_workdays(end_of(2026, 3, 10)) == end_of(2026, 3, 9)  # Tue → Mon 24:00 = start of Tue
    assert cal.minus_workdays(end_of(2026, 3, 9)) == end_of(2026, 3, 6)  # Mon → Fri 24:00
    assert cal.minus_workdays(end_of(2026, 10, 8)) == end_of(2026, 9, 30)  # over 国庆
    assert cal.minus_workdays(end_of(2026, 10, 12)) == end_of(2026, 10, 10)  # make-up Saturday counts
    assert cal.minus_workdays(end_of(2026, 3, 12), 2) == end_of(2026, 3, 10)
    assert cal.minus_workdays(end_of(2026, 3, 10), 0.5) == bj(2026, 3, 10, 13, 30).astimezone(UTC)
    assert cal.minus_workdays(end_of(2026, 3, 10), 0) == end_of(2026, 3, 10)


def test_minus_workdays_in_the_middle_of_a_day(cal: WorkCalendar) -> None:
    assert cal.minus_workdays(bj(2026, 3, 11, 14, 0)) == bj(2026, 3, 10, 14, 0).astimezone(UTC)
    assert cal.minus_workdays(bj(2026, 3, 9, 14, 0)) == bj(2026, 3, 6, 14, 0).astimezone(UTC)
    assert cal.minus_workdays(bj(2026, 10, 8, 10, 30)) == bj(2026, 9, 30, 10, 30).astimezone(UTC)


def test_yellow_moment_leaves_exactly_n_working_days(cal: WorkCalendar) -> None:
    for offset in range(0, 366, 3):
        start = bj(2026, 1, 1, 10) + timedelta(days=offset)
        deadline = cal.add_workdays(start, 5)
        yellow = cal.minus_workdays(deadline, 1)
        assert yellow < deadline
        assert cal.workdays_between(yellow, deadline) == 1


# -- statistics --------------------------------------------------------------------------------------


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(bj(2026, 3, 9, 10), bj(2026, 3, 13, 10)) == 4
    assert cal.workdays_between(bj(2026, 3, 9, 10), bj(2026, 3, 9, 16)) == 0
    assert cal.workdays_between(bj(2026, 9, 28, 10), bj(2026, 10, 12, 10)) == 6
    assert cal.workdays_between(bj(2026, 3, 13, 10), bj(2026, 3, 9, 10)) == -4


def test_workdays_between_inverts_add_workdays(cal: WorkCalendar) -> None:
    for offset in range(0, 365, 2):
        start = bj(2026, 1, 1, 15, 30) + timedelta(days=offset)
        for n in (0, 1, 3, 7):
            deadline = cal.add_workdays(start, n)
            assert deadline.astimezone(LOCAL_TZ).time().hour == 0
            assert cal.workdays_between(start, deadline) == n
