"""The working-day calendar: statutory deadlines counted in working days (DESIGN §7).

Semantics (民法典 第二百零一条、第二百零三条): the start day is not counted, counting begins the next day,
and a period of n working days ends at 24:00 Beijing time of the n-th working day. "24:00 of day D" is
the instant 00:00 of D+1, so a moment at exactly local midnight is read as the *end of the previous day*
everywhere here; that makes chained periods add up (1 + 1 working days == 2) and ``workdays_between`` the
inverse of ``add_workdays``.

Years the official schedule does not cover fall back to Monday–Friday, with a loud warning.
"""

from __future__ import annotations

import logging
import math
import threading
import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import LOCAL_TZ, now
from engine.store.calendar import CalendarDay, CalendarYear

log = logging.getLogger("sunshine.calendar")

#: Office hours, Beijing time, on a working day: morning and afternoon, lunch in between.
OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 0), time(17, 0)))
#: Working hours in one working day (fractions of a working day convert through this). Derived from
#: OFFICE_HOURS so the two cannot disagree: 09–12 + 13–17 is 7 hours, not the 8 sometimes quoted.
WORK_HOURS_PER_DAY: float = sum(
    (c.hour - o.hour) + (c.minute - o.minute) / 60 for o, c in OFFICE_HOURS
)

#: Sources a calendar row may carry; an administrator's entry always beats the seeded package.
SOURCE_ADMIN = "admin"
SOURCE_PACKAGE = "chinesecalendar"

#: A run of non-working days longer than this means the stored calendar is broken (no workdays at all).
_MAX_GAP_DAYS = 400
_ONE_DAY = timedelta(days=1)

_warned_years: set[int] = set()
_warned_lock = threading.Lock()


class CalendarError(ValueError):
    """Bad input to a calendar computation or a calendar that cannot be used."""


def uncovered_message(year: int, lang: str = "zh") -> str:
    """The warning shown when ``year``'s official schedule is missing."""
    if lang.lower().startswith("en"):
        return (
            f"The official public-holiday schedule for {year} has not been entered; deadlines are counted "
            f"Monday to Friday. An administrator must enter the State Council General Office notice."
        )
    return f"{year} 年的法定节假日安排尚未录入，期限按周一至周五计算，请管理员录入国务院办公厅通知"


def _warn_uncovered(year: int) -> None:
    # Once per year per process: computations run in loops and the log must stay readable.
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    log.warning("%s (year %d not covered by the working-day calendar)", uncovered_message(year), year)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("naive datetimes are ambiguous; pass an aware one")
    return moment


def _day_of(moment: datetime) -> date:
    """The local day a moment belongs to; exactly 00:00 is 24:00 of the day before."""
    loc = _aware(moment).astimezone(LOCAL_TZ)
    return loc.date() - _ONE_DAY if loc.time() == time(0) else loc.date()


def _at(day: date, clock: time) -> datetime:
    # Asia/Shanghai has had no DST since 1991, so wall-clock arithmetic on these values is exact.
    return datetime.combine(day, clock, tzinfo=LOCAL_TZ)


def _end_of(day: date) -> datetime:
    """24:00 Beijing time of ``day``, in UTC."""
    return _at(day + _ONE_DAY, time(0)).astimezone(UTC)


#: The most working days (or that many days' working hours) one deadline may span: about ten years. Model code
#: reaches these functions (``workdays(n)``), and counting 10**9 days one by one would hold a worker for hours.
MAX_WORKDAYS = 2500


def _split(n: float, what: str, most: float = MAX_WORKDAYS) -> tuple[int, float]:
    if isinstance(n, bool) or not isinstance(n, int | float) or not math.isfinite(n) or n < 0:
        raise CalendarError(f"{what} must be a finite number >= 0, not {n!r}")
    if n > most:
        raise CalendarError(f"{what} must be at most {most:g}, not {n!r}")
    whole = math.floor(n)
    return whole, n - whole


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday–Friday, corrected by the official schedule."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    names: Mapping[date, str] = field(default_factory=dict)
    covered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # Frozen all the way down: one instance is shared by every thread through CalendarCache.
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        object.__setattr__(self, "covered_years", frozenset(self.covered_years))

    # -- days -------------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True on a working day; stored days win, else Monday–Friday (warned if the year is uncovered)."""
        if d.year not in self.covered_years:
            _warn_uncovered(d.year)
        stored = self.overrides.get(d)
        return d.weekday() < 5 if stored is None else stored

    def name(self, d: date) -> str | None:
        """The holiday or make-up-day name of ``d``, if any."""
        return self.names.get(d)

    def _step(self, d: date, direction: int) -> date:
        """The next working day after (direction 1) or before (-1) ``d``."""
        for _ in range(_MAX_GAP_DAYS):
            d += direction * _ONE_DAY
            if self.is_workday(d):
                return d
        raise CalendarError(f"no working day within {_MAX_GAP_DAYS} days of {d}; the calendar is broken")

    # -- forward ----------------------------------------------------------------------------------

    def add_workdays(self, start: datetime, n: float) -> datetime:
        """Deadline of "n working days from ``start``": 24:00 Beijing of the n-th working day, in UTC.

        The start day is not counted; n=0 is the end of the start day. A fraction is added afterwards as
        working hours (fraction × WORK_HOURS_PER_DAY) from the next opening.
        """
        whole, frac = _split(n, "working days")
        day = _day_of(start)
        for _ in range(whole):
            day = self._step(day, 1)
        end = _end_of(day)
        return self.add_workhours(end, frac * WORK_HOURS_PER_DAY) if frac else end

    def add_workhours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus working hours, counted only inside office hours on working days; UTC."""
        _split(hours, "working hours", MAX_WORKDAYS * WORK_HOURS_PER_DAY)
        cursor = _aware(start).astimezone(LOCAL_TZ)
        if hours == 0:
            return cursor.astimezone(UTC)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        while True:
            if self.is_workday(day):
                for opens, closes in OFFICE_HOURS:
                    begin, stop = max(cursor, _at(day, opens)), _at(day, closes)
                    if begin >= stop:
                        continue
                    if remaining <= stop - begin:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= stop - begin
            day = self._step(day, 1)
            cursor = _at(day, time(0))

    # -- backward ---------------------------------------------------------------------------------

    def minus_workdays(self, moment: datetime, n: float = 1) -> datetime:
        """The moment "n working days before ``moment``" (the yellow warning before a deadline); UTC.

        At 24:00 of day D: 24:00 of the working day such that exactly n working days lie after it up to
        D (for a working day D and n=1, 24:00 of the previous working day). Inside a day: the same clock
        time on the n-th working day before. A fraction is taken off as working hours afterwards.
        """
        whole, frac = _split(n, "working days")
        loc = _aware(moment).astimezone(LOCAL_TZ)
        result = loc.astimezone(UTC)
        if whole and loc.time() == time(0):
            # Walk back over D and the n working days; the day we stop at is the one whose end is sought.
            day, left = loc.date() - _ONE_DAY, whole
            if self.is_workday(day):
                left -= 1
            while left:
                day = self._step(day, -1)
                left -= 1
            result = _end_of(self._step(day, -1))
        elif whole:
            day = loc.date()
            for _ in range(whole):
                day = self._step(day, -1)
            result = _at(day, loc.time()).astimezone(UTC)
        return self.minus_workhours(result, frac * WORK_HOURS_PER_DAY) if frac else result

    def minus_workhours(self, moment: datetime, hours: float) -> datetime:
        """``moment`` minus working hours, counted backwards inside office hours; UTC."""
        _split(hours, "working hours", MAX_WORKDAYS * WORK_HOURS_PER_DAY)
        cursor = _aware(moment).astimezone(LOCAL_TZ)
        if hours == 0:
            return cursor.astimezone(UTC)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        while True:
            if self.is_workday(day):
                for opens, closes in reversed(OFFICE_HOURS):
                    begin, stop = _at(day, opens), min(cursor, _at(day, closes))
                    if stop <= begin:
                        continue
                    if remaining <= stop - begin:
                        return (stop - remaining).astimezone(UTC)
                    remaining -= stop - begin
            day = self._step(day, -1)
            cursor = _at(day + _ONE_DAY, time(0))

    # -- statistics and coverage ------------------------------------------------------------------

    def workdays_between(self, a: datetime, b: datetime) -> int:
        """Working days after a's day up to and including b's day (negative when b is before a)."""
        da, db = _day_of(a), _day_of(b)
        sign = 1
        if db < da:
            da, db, sign = db, da, -1
        count = 0
        day = da + _ONE_DAY
        while day <= db:
            count += self.is_workday(day)
            day += _ONE_DAY
        return sign * count

    def uncovered_years(self, start: date, end: date) -> list[int]:
        """Years in [start, end] whose official schedule is not loaded."""
        lo, hi = sorted((start.year, end.year))
        return [y for y in range(lo, hi + 1) if y not in self.covered_years]

    def warnings_for(self, moment_from: datetime, horizon_days: int = 60, lang: str = "zh") -> list[str]:
        """One warning per uncovered year between ``moment_from`` and ``horizon_days`` later."""
        first = _aware(moment_from).astimezone(LOCAL_TZ).date()
        last = first + timedelta(days=horizon_days)
        return [uncovered_message(y, lang) for y in self.uncovered_years(first, last)]


# -- the database side ----------------------------------------------------------------------------


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar as stored now."""
    days = session.scalars(select(CalendarDay)).all()
    years = session.scalars(select(CalendarYear.year)).all()
    return WorkCalendar(
        overrides={d.day: d.is_workday for d in days},
        names={d.day: d.name for d in days if d.name},
        covered_years=frozenset(years),
    )


def _check_text(value: str | None, limit: int, what: str) -> None:
    if value is not None and len(value) > limit:
        raise CalendarError(f"{what} longer than {limit} characters: {value!r}")


def set_day(
    session: Session, day: date, is_workday: bool, name: str | None, source: str = SOURCE_ADMIN
) -> None:
    """Store one day of an official notice (insert or replace); callers then invalidate their cache."""
    _check_text(name, 50, "name")
    _check_text(source, 30, "source")
    row = session.get(CalendarDay, day)
    if row is None:
        session.add(CalendarDay(day=day, is_workday=is_workday, name=name, source=source, updated_at=now()))
    else:
        row.is_workday, row.name, row.source, row.updated_at = is_workday, name, source, now()
    session.flush()


def clear_day(session: Session, day: date) -> bool:
    """Forget a stored day (it reverts to Monday–Friday); True if there was one."""
    row = session.get(CalendarDay, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def mark_year_covered(session: Session, year: int, source: str) -> None:
    """Record that ``year``'s official schedule is fully entered, citing the notice."""
    _check_text(source, 100, "source")
    row = session.get(CalendarYear, year)
    if row is None:
        session.add(CalendarYear(year=year, source=source, loaded_at=now()))
    else:
        row.source, row.loaded_at = source, now()
    session.flush()


def year_days(session: Session, year: int) -> list[CalendarDay]:
    """The stored days of one year, in date order."""
    stmt = select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
    ).order_by(CalendarDay.day)
    return list(session.scalars(stmt))


class CalendarCache:
    """A process-wide calendar that reloads after ``ttl_seconds`` or after ``invalidate()``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ttl_seconds: float = 60,
        clock: Callable[[], float] = _time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._loaded_at = 0.0

    def get(self) -> WorkCalendar:
        """The cached calendar, reloaded when stale."""
        with self._lock:
            if self._calendar is None or self._clock() - self._loaded_at >= self._ttl:
                with self._sessions() as session:
                    self._calendar = load_calendar(session)
                self._loaded_at = self._clock()
            return self._calendar

    def invalidate(self) -> None:
        """Reload on the next ``get()`` (call after set_day / mark_year_covered)."""
        with self._lock:
            self._calendar = None
