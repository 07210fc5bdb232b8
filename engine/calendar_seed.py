"""Seeding the working-day calendar from the ``chinesecalendar`` package (it covers 2004–2026)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from engine.calendar import SOURCE_PACKAGE, CalendarError, mark_year_covered, year_days
from engine.clock import now
from engine.store.calendar import CalendarDay, CalendarYear

#: The package's English holiday names, as the notices print them.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
MAKEUP_WORKDAY_NAME = "调休上班"


def package_schedule() -> dict[date, tuple[bool, str]]:
    """Every day the package lists that differs from Monday–Friday: date → (is_workday, Chinese name)."""
    from chinese_calendar import constants  # imported here: only seeding needs the package

    days: dict[date, tuple[bool, str]] = {}
    for day, name in constants.holidays.items():
        # Weekend days inside a holiday period are rest days anyway; the table keeps only differences.
        if day.weekday() < 5:
            days[day] = (False, HOLIDAY_NAMES_ZH.get(name, name)[:50])
    for day in constants.workdays:
        if day.weekday() >= 5:
            days[day] = (True, MAKEUP_WORKDAY_NAME)
    return days


def package_years() -> range:
    """The years the package's data covers."""
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays]
    return range(min(years), max(years) + 1)


def seed_from_chinesecalendar(session: Session, years: Iterable[int] | None = None) -> int:
    """Store the package's schedule for ``years`` (default all) and mark them covered.

    Idempotent, and never touches a day or year an administrator entered. Returns the number of day
    rows inserted, changed or removed (package rows the package no longer lists).
    """
    available = package_years()
    wanted = sorted(set(available if years is None else years))
    outside = [y for y in wanted if y not in available]
    if outside:
        raise CalendarError(
            f"chinesecalendar covers {available.start}–{available.stop - 1} only, not {outside}"
        )
    schedule = {d: v for d, v in package_schedule().items() if d.year in wanted}
    written = 0
    for year in wanted:
        stored = {row.day: row for row in year_days(session, year)}
        for day, (is_workday, name) in sorted(schedule.items()):
            if day.year != year:
                continue
            row = stored.get(day)
            if row is None:
                session.add(CalendarDay(day=day, is_workday=is_workday, name=name, source=SOURCE_PACKAGE,
                                        updated_at=now()))
                written += 1
            elif row.source == SOURCE_PACKAGE and (row.is_workday, row.name) != (is_workday, name):
                row.is_workday, row.name, row.updated_at = is_workday, name, now()
                written += 1
        for day, row in stored.items():
            if row.source == SOURCE_PACKAGE and day not in schedule:
                session.delete(row)
                written += 1
        # A year an administrator already covered keeps its citation.
        if session.get(CalendarYear, year) is None:
            mark_year_covered(session, year, SOURCE_PACKAGE)
    session.flush()
    return written
