"""Seeding, editing, loading and caching the calendar in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.calendar import (
    SOURCE_ADMIN,
    SOURCE_PACKAGE,
    CalendarCache,
    CalendarError,
    clear_day,
    load_calendar,
    mark_year_covered,
    set_day,
    year_days,
)
from engine.calendar_seed import package_schedule, seed_from_chinesecalendar
from engine.clock import LOCAL_TZ
from engine.db import transaction
from engine.store.calendar import CalendarDay, CalendarYear


def end_of(y: int, m: int, d: int) -> datetime:
    return (datetime(y, m, d, tzinfo=LOCAL_TZ) + timedelta(days=1)).astimezone(UTC)


def seed(db, years=None) -> int:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        return seed_from_chinesecalendar(s, years)


def row_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(CalendarDay)) or 0


def test_seed_stores_the_package_and_covers_2004_to_2026(db) -> None:  # type: ignore[no-untyped-def]
    written = seed(db)
    assert written == len(package_schedule()) == row_count(db)
    with db.sessions() as s:
        cal = load_calendar(s)
        national_day = s.get(CalendarDay, date(2026, 10, 1))
        assert national_day is not None and national_day.source == SOURCE_PACKAGE
        assert national_day.updated_at.tzinfo is not None
    assert cal.covered_years == frozenset(range(2004, 2027))
    assert cal.name(date(2026, 10, 1)) == "国庆节" and cal.name(date(2026, 2, 17)) == "春节"
    assert cal.name(date(2026, 10, 10)) == "调休上班" and cal.is_workday(date(2026, 10, 10))
    assert cal.name(date(2025, 1, 1)) == "元旦" and cal.name(date(2024, 4, 4)) == "清明节"
    assert cal.add_workdays(datetime(2026, 9, 28, 10, tzinfo=LOCAL_TZ), 5) == end_of(2026, 10, 10)


def snapshot(db) -> set[tuple]:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        return {(r.day, r.is_workday, r.name, r.source, r.updated_at) for r in s.scalars(select(CalendarDay))}


def test_seed_is_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    seed(db)
    before = snapshot(db)
    assert seed(db) == 0
    assert snapshot(db) == before


def test_seed_never_overwrites_an_administrator(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        set_day(s, date(2026, 10, 10), False, "市级调整")  # the administrator overrides a package day
        set_day(s, date(2026, 10, 9), False, "地方假日")  # and adds one the package does not know
        mark_year_covered(s, 2026, "国办发明电〔2025〕7号")
    seed(db)
    seed(db)
    with db.sessions() as s:
        overridden = s.get(CalendarDay, date(2026, 10, 10))
        added = s.get(CalendarDay, date(2026, 10, 9))
        year = s.get(CalendarYear, 2026)
        cal = load_calendar(s)
    assert overridden is not None and (overridden.is_workday, overridden.name, overridden.source) == (
        False, "市级调整", SOURCE_ADMIN
    )
    assert added is not None and added.source == SOURCE_ADMIN
    assert year is not None and year.source == "国办发明电〔2025〕7号"
    assert not cal.is_workday(date(2026, 10, 10))


def test_seed_some_years_and_reject_others(db) -> None:  # type: ignore[no-untyped-def]
    assert seed(db, [2026]) == sum(1 for d in package_schedule() if d.year == 2026)
    with db.sessions() as s:
        assert load_calendar(s).covered_years == frozenset({2026})
    with pytest.raises(CalendarError), transaction(db.sessions) as s:
        seed_from_chinesecalendar(s, [2027])
    assert row_count(db) == sum(1 for d in package_schedule() if d.year == 2026)


def test_seed_repairs_a_stale_package_row(db) -> None:  # type: ignore[no-untyped-def]
    seed(db, [2026])
    with transaction(db.sessions) as s:
        set_day(s, date(2026, 3, 3), False, "错误", source=SOURCE_PACKAGE)
        s.get(CalendarDay, date(2026, 10, 1)).name = "旧名"  # type: ignore[union-attr]
    assert seed(db, [2026]) == 2
    with db.sessions() as s:
        assert s.get(CalendarDay, date(2026, 3, 3)) is None
        assert s.get(CalendarDay, date(2026, 10, 1)).name == "国庆节"  # type: ignore[union-attr]


def test_admin_keys_in_2027(db) -> None:  # type: ignore[no-untyped-def]
    seed(db)
    start = datetime(2026, 12, 28, 10, tzinfo=LOCAL_TZ)
    with db.sessions() as s:
        before = load_calendar(s)
    assert before.add_workdays(start, 5) == end_of(2027, 1, 4)
    assert before.warnings_for(start) != []
    with transaction(db.sessions) as s:
        set_day(s, date(2027, 1, 1), False, "元旦")
        set_day(s, date(2027, 1, 2), False, "元旦")  # a Saturday: equals the default, kept for completeness
        set_day(s, date(2027, 1, 4), True, None)  # a Monday stored as a workday: also the default
    with db.sessions() as s:
        partial = load_calendar(s)
    assert partial.add_workdays(start, 5) == end_of(2027, 1, 5)
    assert partial.warnings_for(start) != []  # days entered, but the year is not yet marked complete
    with transaction(db.sessions) as s:
        mark_year_covered(s, 2027, "国办发明电〔2026〕X号")
    with db.sessions() as s:
        covered = load_calendar(s)
        assert [d.day for d in year_days(s, 2027)] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 4)]
        assert s.get(CalendarYear, 2027).source == "国办发明电〔2026〕X号"  # type: ignore[union-attr]
    assert covered.warnings_for(start) == []
    assert covered.add_workdays(start, 5) == end_of(2027, 1, 5)


def test_set_day_replaces_and_clear_day_removes(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        set_day(s, date(2027, 2, 6), True, "调休上班")
        set_day(s, date(2027, 2, 6), False, None)
    with db.sessions() as s:
        row = s.get(CalendarDay, date(2027, 2, 6))
        assert row is not None and (row.is_workday, row.name) == (False, None)
    with transaction(db.sessions) as s:
        assert clear_day(s, date(2027, 2, 6))
        assert not clear_day(s, date(2027, 2, 6))
    assert row_count(db) == 0
    with pytest.raises(CalendarError), transaction(db.sessions) as s:
        set_day(s, date(2027, 2, 6), False, "长" * 51)


def test_cache_reloads_after_ttl_or_invalidate(db) -> None:  # type: ignore[no-untyped-def]
    ticks = [0.0]
    cache = CalendarCache(db.sessions, ttl_seconds=60, clock=lambda: ticks[0])
    first = cache.get()
    assert first.is_workday(date(2027, 1, 1))
    assert cache.get() is first
    with transaction(db.sessions) as s:
        set_day(s, date(2027, 1, 1), False, "元旦")
    ticks[0] = 59.0
    assert cache.get() is first  # still fresh
    ticks[0] = 60.0
    second = cache.get()
    assert not second.is_workday(date(2027, 1, 1))
    with transaction(db.sessions) as s:
        set_day(s, date(2027, 1, 1), True, None)
    cache.invalidate()
    assert cache.get().is_workday(date(2027, 1, 1))
