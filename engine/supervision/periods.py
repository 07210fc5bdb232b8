"""Reporting periods (月、季、年, and weeks for trends) as Beijing-time calendar spans with their UTC bounds.

A period is named by its kind and its first day (``month:2026-11``, ``quarter:2026-Q4``, ``year:2026``); it runs
from 00:00 Beijing time of its first day up to (not including) 00:00 of the day after its last, which is how the
figures select rows (``start <= moment < end``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.clock import LOCAL_TZ

MONTH, QUARTER, YEAR, WEEK = "month", "quarter", "year", "week"
KINDS = (MONTH, QUARTER, YEAR)
#: The report's Chinese name per kind.
KIND_NAMES = {MONTH: "月报", QUARTER: "季报", YEAR: "年报"}


def start_of_day(day: date) -> datetime:
    """00:00 Beijing time of ``day``, an aware datetime (compares with UTC columns)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def add_months(day: date, months: int = 1) -> date:
    """The first day of the month ``months`` after (before, if negative) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar span: ``first`` is its first day, ``after`` the day after its last (both Beijing dates)."""

    first: date
    after: date
    kind: str

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_day(self.after)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def key(self) -> str:
        """``2026-11``, ``2026-Q4``, ``2026``, ``2026-11-23`` (a week, by its Monday): unique within a kind."""
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return f"{self.first.year}"
        return self.first.isoformat()

    @property
    def label(self) -> str:
        """How a report names it: 2026年11月, 2026年第四季度, 2026年度, 11月23日起一周."""
        if self.kind == MONTH:
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == QUARTER:
            return f"{self.first.year}年第{'一二三四'[(self.first.month - 1) // 3]}季度"
        if self.kind == YEAR:
            return f"{self.first.year}年度"
        return f"{self.first.month}月{self.first.day}日"

    def next(self) -> Period:
        return period_of(self.kind, self.after)

    def previous(self) -> Period:
        return period_of(self.kind, self.first - timedelta(days=1))


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` (month, quarter, year, week) that holds ``day``."""
    if kind == MONTH:
        first = day.replace(day=1)
        return Period(first, add_months(first), kind)
    if kind == QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(first, add_months(first, 3), kind)
    if kind == YEAR:
        return Period(date(day.year, 1, 1), date(day.year + 1, 1, 1), kind)
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=7), kind)
    raise ValueError(f"unknown period kind {kind!r}")


#: The years a period may name (a typo such as 0202 or 20260 names none).
YEARS = range(2000, 2100)


def parse_period(kind: str, key: str) -> Period:
    """The period named by ``kind`` and ``key`` (as ``Period.key`` writes it); ``ValueError`` if malformed."""
    if len(key) > 10 or not key[:4].isdigit() or int(key[:4]) not in YEARS:
        raise ValueError(f"not a {kind} period: {key!r}")
    try:
        if kind == MONTH:
            year, month = key.split("-")
            return period_of(kind, date(int(year), int(month), 1))
        if kind == QUARTER:
            year, quarter = key.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(key)
            return period_of(kind, date(int(year), (int(quarter) - 1) * 3 + 1, 1))
        if kind == YEAR:
            return period_of(kind, date(int(key), 1, 1))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a {kind} period: {key!r}") from exc
    raise ValueError(f"unknown period kind {kind!r}")


def local_day(moment: datetime) -> date:
    """The Beijing date of an aware moment."""
    return moment.astimezone(LOCAL_TZ).date()


def spans(unit: str, start: date, end: date) -> list[Period]:
    """The periods of ``unit`` (week or month) covering the days from ``start`` up to (not including) ``end``."""
    out: list[Period] = []
    if start >= end:
        return out
    current = period_of(unit, start)
    while current.first < end:
        out.append(current)
        current = current.next()
    return out
