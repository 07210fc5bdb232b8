"""The supervisor's dashboard (监察仪表盘): live figures for a scope, each drilling down to the cases behind it.

``main_figures`` is the page's one query set, and its cost must not grow with the number of open cases (the
benchmark compares it at 1,000,000 and at 10,000 open cases):

- **open yellow / red** by department, power and post: counted inside ``ix_alerts_open_tally`` (each alert keeps its
  case's power and its step's post from when it was raised), so neither cases nor steps are read; only the groups
  are joined to their names;
- **the current month** (Beijing time): the cases completed in it, read by ``ix_cases_completed_at`` — how many, how
  many on time (held to the promised limit, else the legal one: ``engine/supervision/figures.py``'s rule), their
  average handling time in working days, and the alerts raised on them per 100 of them (``alerts.case_id``). The
  denominator is the month's completed cases, not the cases received: counting a month's intake would read every
  case registered in it, which grows with the platform;
- **open directives** (督办 awaiting their report) and **missed patrols** (rule W1) of the scope.

Trends by week and month (``trends``) come from ``engine.supervision.figures.trend`` — the reports' own figures —
through a separate JSON request, so that charts never slow the page's numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar, load_calendar
from engine.store import Alert, Case, Department, Post, Power
from engine.store.case import ALERT_OPEN, OPEN_ALERT
from engine.store.oversight import PatrolLapse
from engine.supervision.figures import WorkdayCounter, trend
from engine.supervision.periods import MONTH, WEEK, Period, add_months, local_day, period_of
from engine.supervision.scope import Scope

#: The levels the dashboard counts.
LEVELS = ("yellow", "red")
#: The drill-downs a number links to.
DRILLS = ("yellow", "red", "alerts", "completed", "late", "alerted")
#: Rows a drill-down lists at most (the newest first); more is said, not shown.
DRILL_LIMIT = 500
#: The bucket of alerts not on an open step (a case's time limit, a rule on a step already done).
NO_POST = 0


@dataclass
class Tally:
    """Open yellow and red alerts of one department, power or post."""

    key: int
    label: str
    yellow: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.yellow + self.red


@dataclass(frozen=True)
class MainFigures:
    scope: Scope
    now: datetime
    period: Period
    yellow: int
    red: int
    by_department: list[Tally]
    by_power: list[Tally]
    by_post: list[Tally]
    completed: int
    on_time: int
    handling_days: int
    #: Alerts raised on the period's completed cases.
    alerts_on_completed: int
    #: Open directives (督办 awaiting their report); None while the directive model does not exist.
    open_directives: int | None
    #: Missed patrols (rule W1) of the scope's regions in the period.
    patrol_lapses: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ completed (0–1); None when nothing was completed."""
        return self.on_time / self.completed if self.completed else None

    @property
    def average_handling_days(self) -> float | None:
        return self.handling_days / self.completed if self.completed else None

    @property
    def alerts_per_100(self) -> float | None:
        return self.alerts_on_completed * 100 / self.completed if self.completed else None


def _on_time() -> Any:
    limit = func.coalesce(Case.promised_due_at, Case.legal_due_at)
    return or_(limit.is_(None), Case.completed_at <= limit)


def _in(scope: Scope, column: Any) -> Any:
    """The scope's filter on a department column, wrapped so that neither database reads the department's index (all
    its cases or alerts ever) instead of the index on what is open or on the period."""
    return scope.departments(func.coalesce(column, 0))


def _completed_in(period: Period, scope: Scope) -> Any:
    """The WHERE clause of the period's completed cases of the scope (``ix_cases_completed_at``'s own predicate
    first, so that both databases use the partial index)."""
    # The status is wrapped so that no database seeks ix_cases_status instead: every case ever completed is in it.
    return and_(Case.completed_at.is_not(None), Case.completed_at >= period.start, Case.completed_at < period.end,
                func.coalesce(Case.status, "") == "completed", _in(scope, Case.department_id))


def _open_alerts(session: Session, scope: Scope) -> list[Any]:
    """The open alerts counted by (department, power, post, level), with the names of each, from
    ``ix_alerts_open_tally`` alone: the count is made in the index, and only its few groups are joined to names."""
    tally = (select(Alert.department_id, Alert.power_id, Alert.post_id, Alert.level, func.count().label("n"))
             .where(text(OPEN_ALERT), Alert.level.in_(LEVELS), _in(scope, Alert.department_id))
             .group_by(Alert.department_id, Alert.power_id, Alert.post_id, Alert.level).subquery())
    query = (select(tally.c.department_id, tally.c.power_id, tally.c.post_id, tally.c.level, tally.c.n,
                    Department.name.label("department"), Power.name.label("power"), Post.name.label("post"))
             .join(Department, Department.id == tally.c.department_id)
             .outerjoin(Power, Power.id == tally.c.power_id).outerjoin(Post, Post.id == tally.c.post_id))
    return list(session.execute(query))


def _tallies(rows: Iterable[Any], key: str, label: Any) -> list[Tally]:
    out: dict[int, Tally] = {}
    for row in rows:
        k = getattr(row, key) or NO_POST
        tally = out.setdefault(k, Tally(k, label(row)))
        if row.level == "yellow":
            tally.yellow += row.n
        else:
            tally.red += row.n
    return sorted(out.values(), key=lambda t: (-t.red, -t.yellow, t.label))


def open_directives(session: Session, scope: Scope) -> int | None:
    """Directives (督办) still awaiting their report in the scope; None while ``engine/store/alert_life.py`` has no
    ``Directive`` (the page then says the count is not available yet)."""
    from engine.store import alert_life

    directive = getattr(alert_life, "Directive", None)
    if directive is None or not hasattr(directive, "reported_at"):
        return None
    return session.execute(select(func.count()).select_from(directive).where(
        directive.reported_at.is_(None), scope.departments(directive.department_id))).scalar_one()


def main_figures(session: Session, scope: Scope, now: datetime, *,
                 calendar: WorkCalendar | None = None) -> MainFigures:
    """The dashboard's figures for ``scope`` at ``now`` (see the module's docstring for what each one reads)."""
    calendar = calendar or load_calendar(session)
    rows = _open_alerts(session, scope)
    period = period_of(MONTH, local_day(now))
    completed = on_time = days = 0
    counter = WorkdayCounter(calendar)
    done = (select(Case.created_at, Case.completed_at, case((_on_time(), 1), else_=0))
            .where(_completed_in(period, scope)))
    for created, finished, timely in session.execute(done):
        completed += 1
        on_time += timely
        days += max(counter.between(created, finished), 0)
    alerted = 0
    if completed:
        alerted = session.execute(select(func.count()).select_from(Alert).join(Case, Case.id == Alert.case_id)
                                  .where(_completed_in(period, scope))).scalar_one()
    lapses = select(func.count()).select_from(PatrolLapse).where(PatrolLapse.raised_at >= period.start)
    if scope.region_ids is not None:
        lapses = lapses.where(PatrolLapse.region_id.in_(sorted(scope.region_ids)))
    return MainFigures(
        scope=scope, now=now, period=period,
        yellow=sum(r.n for r in rows if r.level == "yellow"), red=sum(r.n for r in rows if r.level == "red"),
        by_department=_tallies(rows, "department_id", lambda r: r.department),
        by_power=_tallies(rows, "power_id", lambda r: r.power or ""),
        by_post=_tallies(rows, "post_id", lambda r: f"{r.department} · {r.post}" if r.post else ""),
        completed=completed, on_time=on_time, handling_days=days, alerts_on_completed=alerted,
        open_directives=open_directives(session, scope), patrol_lapses=session.execute(lapses).scalar_one())


# ---- drill-downs --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillRow:
    case_id: int
    serial: str
    subject: str
    department: str
    power: str
    #: The alert's step (or None) and its level, for an alert drill-down; the deadline missed for a late case.
    step: str | None
    level: str | None
    due_at: datetime | None
    #: For a completed case: its handling time in working days (received → completed, as the average counts it).
    workdays: int | None = None


@dataclass(frozen=True)
class Drill:
    rows: list[DrillRow]
    #: Whether more rows matched than ``DRILL_LIMIT``.
    more: bool


def drill(session: Session, scope: Scope, now: datetime, what: str, *, department_id: int | None = None,
          power_id: int | None = None, post_id: int | None = None, calendar: WorkCalendar | None = None) -> Drill:
    """The cases behind a number of ``main_figures``: ``yellow``/``red``/``alerts`` (open alerts, optionally of one
    department, power or post — ``post_id`` ``NO_POST`` for alerts on no step), ``completed``/``late`` (the
    month's completed cases, the late ones), ``alerted`` (the month's completed cases that had alerts)."""
    if what not in DRILLS:
        raise ValueError(f"unknown drill-down {what!r}")
    base = (Case.id, Case.serial, Case.subject, Department.name, Power.name)
    if what in ("yellow", "red", "alerts"):
        query = (select(*base, Alert.step_name, Alert.level, Alert.due_at)
                 .join(Case, Case.id == Alert.case_id).join(Power, Power.id == Case.power_id)
                 .join(Department, Department.id == Alert.department_id)
                 .where(Alert.status == ALERT_OPEN, _in(scope, Alert.department_id),
                        Alert.level.in_(LEVELS) if what == "alerts" else Alert.level == what)
                 .order_by(Alert.raised_at.desc(), Alert.id.desc()))
        if department_id is not None:
            query = query.where(Alert.department_id == department_id)
        if power_id is not None:
            query = query.where(Alert.power_id == power_id)
        if post_id is not None:  # the post the alert was raised on, as the count has it
            query = query.where(Alert.post_id.is_(None) if post_id == NO_POST else Alert.post_id == post_id)
    else:
        period = period_of(MONTH, local_day(now))
        limit = func.coalesce(Case.promised_due_at, Case.legal_due_at)
        query = (select(*base, Case.end_name, Case.status, limit, Case.created_at, Case.completed_at)
                 .join(Power, Power.id == Case.power_id)
                 .join(Department, Department.id == Case.department_id).where(_completed_in(period, scope))
                 .order_by(Case.completed_at.desc(), Case.id.desc()))
        if what == "late":
            query = query.where(~_on_time())
        elif what == "alerted":
            query = query.where(select(Alert.id).where(Alert.case_id == Case.id).exists())
        if department_id is not None:
            query = query.where(Case.department_id == department_id)
    found = session.execute(query.limit(DRILL_LIMIT + 1)).all()
    if what in ("yellow", "red", "alerts"):
        rows = [DrillRow(*r[:8]) for r in found[:DRILL_LIMIT]]
    else:
        counter = WorkdayCounter(calendar or load_calendar(session))
        rows = [DrillRow(*r[:6], None, r[7], max(counter.between(r[8], r[9]), 0)) for r in found[:DRILL_LIMIT]]
    # An alert drill-down may list one case twice (two alerts): each row is one alert, as the number counts them.
    return Drill(rows, len(found) > DRILL_LIMIT)


# ---- trends -------------------------------------------------------------------------------------------------------

#: How far back the trend charts reach.
WEEKS, MONTHS = 12, 12


def trends(session: Session, scope: Scope, now: datetime, *, calendar: WorkCalendar | None = None
           ) -> dict[str, list[dict[str, Any]]]:
    """The last ``WEEKS`` weeks and ``MONTHS`` months up to ``now``: received, completed, on-time rate (%), yellow and
    red alerts raised, as lists the charts read."""
    today = local_day(now)
    end = today + timedelta(days=1)
    ids = None if scope.department_ids is None else sorted(scope.department_ids)
    week_start = period_of(WEEK, today).first - timedelta(weeks=WEEKS - 1)
    month_start = add_months(period_of(MONTH, today).first, -(MONTHS - 1))
    out: dict[str, list[dict[str, Any]]] = {}
    for unit, start in ((WEEK, week_start), (MONTH, month_start)):
        points = trend(session, unit, start, end, ids, calendar=calendar)
        out[unit] = [{"key": p.period.key, "label": p.label, "received": p.received, "completed": p.completed,
                      "on_time_rate": None if p.on_time_rate is None else round(p.on_time_rate * 100, 1),
                      "yellow": p.yellow, "red": p.red} for p in points]
    return out
