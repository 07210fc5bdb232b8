"""Period figures per department, computed from the database: what reports, scores and the dashboard show.

For a period ``[start, end)`` and a scope (a list of department ids, or ``None`` for the whole platform):

- **received** (受理): cases created in the period (``cases.created_at``);
- **completed** (办结): cases that ended as completed (status ``completed``) in the period (``cases.completed_at``);
  withdrawn, terminated and merged cases are not counted as completed;
- **on time** (按时办结): completed with ``completed_at <= promised_due_at``; a case without a promised limit is
  held to its legal limit, and one with neither is on time;
- **on-time rate**: on time ÷ completed;
- **average handling time**: working days from the day a case was received to the day it was completed
  (``WorkCalendar.workdays_between``: a case completed on the day it came in took 0), over the completed cases;
- **alerts**: alerts raised in the period (``alerts.raised_at``) by level, and per 100 cases received;
- **open alerts**: alerts raised before the period's end and not closed by it (``closed_at``);
- **directives** (督办): issued in the period, and those overdue during it (deadline passed before its end, not
  reported by then or reported late within it).

Cases of the platform's internal powers (status ``internal``: catalog review, an alert's life, 督办) are the
platform's own work, not a department's handling of the public's: neither they nor their alerts are counted.

Each figure is one query over the period's rows by index (``ix_cases_created_at``, ``ix_cases_completed_at``,
``ix_alerts_raised_at``, ``ix_alerts_closed_at``), grouped by department: never a read of the whole table per
department.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar, load_calendar
from engine.store import Alert, Case, Department, Power
from engine.store.alert_life import Directive
from engine.supervision.periods import Period, local_day, spans

#: The name of the totals row.
TOTAL_NAME = "合计"


@dataclass(frozen=True)
class AlertCounts:
    """Alerts by level (``yellow``, ``red``; any other level a rule may use is kept too)."""

    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def yellow(self) -> int:
        return self.by_level.get("yellow", 0)

    @property
    def red(self) -> int:
        return self.by_level.get("red", 0)

    @property
    def total(self) -> int:
        return sum(self.by_level.values())

    def __add__(self, other: AlertCounts) -> AlertCounts:
        merged = dict(self.by_level)
        for level, n in other.by_level.items():
            merged[level] = merged.get(level, 0) + n
        return AlertCounts(merged)


def _ratio(part: float, whole: int, scale: float = 1.0) -> float | None:
    return None if whole == 0 else part * scale / whole


@dataclass(frozen=True)
class DepartmentFigures:
    """One department's figures for one period (``department_id`` 0 for a totals row)."""

    department_id: int
    department: str
    received: int = 0
    completed: int = 0
    on_time: int = 0
    #: The sum of the completed cases' handling times in working days (the average's numerator).
    handling_days: int = 0
    alerts: AlertCounts = field(default_factory=AlertCounts)
    open_alerts: int = 0
    directives: int = 0
    overdue_directives: int = 0

    @property
    def late(self) -> int:
        return self.completed - self.on_time

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ completed, 0–1; None when nothing was completed."""
        return _ratio(self.on_time, self.completed)

    @property
    def average_handling_days(self) -> float | None:
        return _ratio(self.handling_days, self.completed)

    @property
    def alerts_per_100(self) -> float | None:
        """Alerts raised per 100 cases received; None when none was received."""
        return _ratio(self.alerts.total, self.received, 100)

    @property
    def red_per_100(self) -> float | None:
        return _ratio(self.alerts.red, self.received, 100)

    @property
    def yellow_per_100(self) -> float | None:
        return _ratio(self.alerts.yellow, self.received, 100)

    def __add__(self, other: DepartmentFigures) -> DepartmentFigures:
        return replace(self, received=self.received + other.received, completed=self.completed + other.completed,
                       on_time=self.on_time + other.on_time, handling_days=self.handling_days + other.handling_days,
                       alerts=self.alerts + other.alerts, open_alerts=self.open_alerts + other.open_alerts,
                       directives=self.directives + other.directives,
                       overdue_directives=self.overdue_directives + other.overdue_directives)


@dataclass(frozen=True)
class PeriodFigures:
    """The figures of a period for every department of a scope, and their total."""

    start: datetime
    end: datetime
    departments: list[DepartmentFigures]
    total: DepartmentFigures

    def of(self, department_id: int) -> DepartmentFigures | None:
        return next((d for d in self.departments if d.department_id == department_id), None)


@dataclass(frozen=True)
class TrendPoint:
    """One week or month of a trend, summed over the scope."""

    period: Period
    received: int = 0
    completed: int = 0
    on_time: int = 0
    yellow: int = 0
    red: int = 0
    #: Average handling time in working days; None when not asked for (no calendar) or nothing was completed.
    average_handling_days: float | None = None

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.completed)


# ---- the queries ---------------------------------------------------------------------------------------------


def _in(column: Any, ids: Sequence[int] | None) -> ColumnElement[bool]:
    return column.in_(list(ids)) if ids is not None else true()


@dataclass(frozen=True)
class _Where:
    """The scope's departments, and the platform's internal powers (catalog review, an alert's life, 督办: status
    ``internal``), whose cases are the platform's own work and not a department's handling of the public's."""

    ids: Sequence[int] | None
    internal: tuple[int, ...]

    @classmethod
    def of(cls, session: Session, ids: Sequence[int] | None) -> _Where:
        internal = session.execute(select(Power.id).where(Power.status == "internal")).scalars()
        return cls(list(ids) if ids is not None else None, tuple(internal))

    def cases(self) -> ColumnElement[bool]:
        return and_(_in(Case.department_id, self.ids), Case.power_id.not_in(self.internal) if self.internal else true())

    def alerts(self) -> ColumnElement[bool]:
        """For a query of alerts joined to their cases (``_alerts_of``)."""
        return and_(_in(Alert.department_id, self.ids),
                    Case.power_id.not_in(self.internal) if self.internal else true())


def _alerts_of(*columns: Any) -> Any:
    return select(*columns).select_from(Alert).join(Case, Case.id == Alert.case_id)


def _limit() -> Any:
    """The limit a completed case is held to: the promised one, else the legal one."""
    return func.coalesce(Case.promised_due_at, Case.legal_due_at)


def _on_time() -> ColumnElement[bool]:
    limit = _limit()
    return or_(limit.is_(None), Case.completed_at <= limit)


def _received(session: Session, start: datetime, end: datetime, where: _Where) -> dict[int, int]:
    rows = session.execute(select(Case.department_id, func.count()).where(
        Case.created_at >= start, Case.created_at < end, where.cases()).group_by(Case.department_id))
    return {dept: n for dept, n in rows}


def _completed_rows(session: Session, start: datetime, end: datetime,
                    where: _Where) -> list[tuple[int, datetime, datetime, bool]]:
    query = select(Case.department_id, Case.created_at, Case.completed_at,
                   case((_on_time(), 1), else_=0)).where(
        # coalesce: so that SQLite (no statistics) reads the period by the completed_at index, not every completed case
        # by the status index.
        Case.completed_at >= start, Case.completed_at < end, func.coalesce(Case.status, "") == "completed",
        where.cases())
    return [(dept, created, completed, bool(on_time)) for dept, created, completed, on_time in session.execute(query)]


def _alerts(session: Session, start: datetime, end: datetime, where: _Where) -> dict[int, dict[str, int]]:
    rows = session.execute(_alerts_of(Alert.department_id, Alert.level, func.count()).where(
        Alert.raised_at >= start, Alert.raised_at < end, where.alerts())
        .group_by(Alert.department_id, Alert.level))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for dept, level, n in rows:
        out[dept][level] = n
    return out


def _open_alerts(session: Session, moment: datetime, where: _Where) -> dict[int, int]:
    """Alerts raised before ``moment`` and not closed by then: the still open (``closed_at`` null) and those closed
    since, each read by ``ix_alerts_closed_at``."""
    still_open = or_(Alert.closed_at.is_(None), Alert.closed_at >= moment)
    rows = session.execute(_alerts_of(Alert.department_id, func.count()).where(
        still_open, Alert.raised_at < moment, where.alerts()).group_by(Alert.department_id))
    return {dept: n for dept, n in rows}


def _directives(session: Session, start: datetime, end: datetime,
                ids: Sequence[int] | None) -> tuple[dict[int, int], dict[int, int]]:
    """Directives issued in the period (``ix_directives_issued``), and those overdue during it, per department.

    Overdue during the period: its deadline (``due_at``, moved by a granted extension) passed before the period's end
    and it was not reported by then — unreported still, or reported late within the period. Directives are few (a
    supervisor's act, not the public's), so the second query reads them by deadline without an index of its own.
    """
    issued = dict(session.execute(select(Directive.department_id, func.count()).where(
        Directive.issued_at >= start, Directive.issued_at < end, _in(Directive.department_id, ids))
        .group_by(Directive.department_id)).all())
    reported_late_in_period = and_(Directive.reported_at > Directive.due_at, Directive.reported_at >= start)
    overdue = dict(session.execute(select(Directive.department_id, func.count()).where(
        Directive.due_at < end, Directive.issued_at < end,
        or_(Directive.reported_at.is_(None), reported_late_in_period), _in(Directive.department_id, ids))
        .group_by(Directive.department_id)).all())
    return issued, overdue


def departments_in(session: Session, ids: Sequence[int] | None) -> list[tuple[int, str]]:
    """(id, name) of the scope's departments, by code."""
    query = select(Department.id, Department.name).order_by(Department.code)
    if ids is not None:
        query = query.where(Department.id.in_(list(ids)))
    return [(i, n) for i, n in session.execute(query)]


class WorkdayCounter:
    """``workdays_between`` for many cases at once: each day's count is computed once and remembered."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._origin: date | None = None
        self._counts: list[int] = []

    def _index(self, day: date) -> int:
        # Working days after the origin up to and including ``day``, extending the table as needed.
        if self._origin is None or day < self._origin:
            self._origin = day - timedelta(days=1)
            self._counts = [0]
        offset = (day - self._origin).days
        while len(self._counts) <= offset:
            nxt = self._origin + timedelta(days=len(self._counts))
            self._counts.append(self._counts[-1] + self.calendar.is_workday(nxt))
        return self._counts[offset]

    def between(self, a: datetime, b: datetime) -> int:
        da, db = local_day(a), local_day(b)
        lo = min(da, db)
        self._index(lo)  # fix the origin before the first lookup so both share it
        return self._index(db) - self._index(da)


def figures(session: Session, start: datetime, end: datetime, department_ids: Sequence[int] | None = None, *,
            calendar: WorkCalendar | None = None, open_at: datetime | None = None) -> PeriodFigures:
    """The figures of ``[start, end)`` for each department of the scope (all when ``department_ids`` is None).

    ``open_at`` is the moment open alerts are counted at (the period's end by default; pass ``clock.now()`` for a
    period not yet over)."""
    calendar = calendar or load_calendar(session)
    counter = WorkdayCounter(calendar)
    ids = list(department_ids) if department_ids is not None else None
    where = _Where.of(session, ids)
    received = _received(session, start, end, where)
    completed: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for dept, created, done, on_time in _completed_rows(session, start, end, where):
        numbers = completed[dept]
        numbers[0] += 1
        numbers[1] += on_time
        numbers[2] += max(counter.between(created, done), 0)
    alerts = _alerts(session, start, end, where)
    open_alerts = _open_alerts(session, open_at or end, where)
    issued, overdue = _directives(session, start, end, ids)
    rows = []
    for dept, name in departments_in(session, ids):
        done_n, on_time_n, days = completed.get(dept, [0, 0, 0])
        rows.append(DepartmentFigures(
            department_id=dept, department=name, received=received.get(dept, 0), completed=done_n,
            on_time=on_time_n, handling_days=days, alerts=AlertCounts(dict(alerts.get(dept, {}))),
            open_alerts=open_alerts.get(dept, 0), directives=issued.get(dept, 0),
            overdue_directives=overdue.get(dept, 0)))
    total = sum(rows, DepartmentFigures(0, TOTAL_NAME))
    return PeriodFigures(start=start, end=end, departments=rows, total=total)


def period_figures(session: Session, period: Period, department_ids: Sequence[int] | None = None, *,
                   calendar: WorkCalendar | None = None, open_at: datetime | None = None) -> PeriodFigures:
    """``figures`` for a ``Period``."""
    return figures(session, period.start, period.end, department_ids, calendar=calendar, open_at=open_at)


def _bucket(column: Any, bounds: list[datetime]) -> Any:
    """A CASE expression numbering the bucket a moment falls in (bounds are each bucket's start, then the end)."""
    whens = [(column < bound, i) for i, bound in enumerate(bounds[1:-1])]
    return (case(*whens, else_=len(bounds) - 2) if whens else literal(0)).label("b")


def _grouped(session: Session, inner: Any, *keys: str) -> Any:
    """Count ``inner``'s rows by its bucket ``b`` (and ``keys``), grouping the subquery's column: PostgreSQL would
    not take a CASE with bound parameters in GROUP BY as the same expression as in the select list."""
    sub = inner.subquery()
    columns = [sub.c.b, *(sub.c[k] for k in keys)]
    return session.execute(select(*columns, func.count()).group_by(*columns))


def trend(session: Session, unit: str = "month", start: date | None = None, end: date | None = None,
          department_ids: Iterable[int] | None = None, *, calendar: WorkCalendar | None = None) -> list[TrendPoint]:
    """A series of weeks or months (``unit``) from the one holding ``start`` up to the day ``end`` (Beijing dates;
    not included), summed over the scope. One grouped query per measure for the whole series, not one per point.
    Average handling days are computed only when a ``calendar`` is given (they read each completed case)."""
    if start is None or end is None:
        raise ValueError("a trend needs start and end dates")
    periods = spans(unit, start, end)
    if not periods:
        return []
    ids = list(department_ids) if department_ids is not None else None
    where = _Where.of(session, ids)
    bounds = [p.start for p in periods] + [periods[-1].end]
    lo, hi = bounds[0], bounds[-1]
    n = len(periods)
    received = [0] * n
    completed, on_time, days = [0] * n, [0] * n, [0] * n
    yellow, red = [0] * n, [0] * n

    for i, count in _grouped(session, select(_bucket(Case.created_at, bounds)).where(
            Case.created_at >= lo, Case.created_at < hi, where.cases())):
        received[i] = count
    if calendar is None:
        inner = select(_bucket(Case.completed_at, bounds), case((_on_time(), 1), else_=0).label("t")).where(
            Case.completed_at >= lo, Case.completed_at < hi, Case.status == "completed", where.cases())
        for i, timely, count in _grouped(session, inner, "t"):
            completed[i] += count
            on_time[i] += count if timely else 0
    else:
        counter = WorkdayCounter(calendar)
        for _dept, created, done, timely in _completed_rows(session, lo, hi, where):
            i = bisect_right(bounds, done) - 1
            completed[i] += 1
            on_time[i] += timely
            days[i] += max(counter.between(created, done), 0)
    for i, level, count in _grouped(session, _alerts_of(_bucket(Alert.raised_at, bounds), Alert.level).where(
            Alert.raised_at >= lo, Alert.raised_at < hi, where.alerts()), "level"):
        if level == "yellow":
            yellow[i] += count
        elif level == "red":
            red[i] += count
    return [TrendPoint(period=p, received=received[i], completed=completed[i], on_time=on_time[i], yellow=yellow[i],
                       red=red[i], average_handling_days=days[i] / completed[i] if calendar and completed[i] else None)
            for i, p in enumerate(periods)]
