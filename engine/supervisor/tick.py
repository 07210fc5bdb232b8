"""One supervisor tick. It reads only rows that are due, by index: its cost grows with what is due,
not with what is open. Safe to run in several processes at once. docs/supervision.md lists its rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session, load_only

from engine import clock
from engine.alerts import raise_alert
from engine.runtime import limits
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.runtime.timers import fire_due_timers
from engine.store import Case, OpenTask, WaitingTimer
from engine.store.case import CLOCK_RUNNING

log = logging.getLogger("sunshine.supervisor")
BATCH = 500
_CASES = Case.__table__.c
# A case due a limit alert is locked reading only what its rules need, never its workflow JSON.
_LOCK_LIMITS = (select(Case).options(load_only(Case.department_id, Case.status, Case.clock_paused_at,
                                               Case.promised_due_at, Case.legal_due_at, Case.limit_alert_level,
                                               Case.promised_warn_at))
                .with_for_update(skip_locked=True, key_share=True))


@dataclass
class TickResult:
    fired_cases: int = 0
    yellow: int = 0
    red: int = 0
    #: Red T3 alerts: cases past their promised or legal time limit.
    limit_red: int = 0
    #: Yellow T1 alerts on cases: one working day (or half the limit) before their promised limit.
    limit_yellow: int = 0
    failed: list[int] = field(default_factory=list)
    calendar_warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for operators: what this tick did."""
        return (f"fired {self.fired_cases} case(s), {self.yellow} yellow, {self.red} red alert(s), "
                f"{self.limit_yellow} case time-limit warning(s), {self.limit_red} case time-limit alert(s)")

    @property
    def did_anything(self) -> bool:
        """Whether the tick fired or raised anything."""
        return any((self.fired_cases, self.yellow, self.red, self.limit_yellow, self.limit_red))


def tick(rt: Runtime, now: datetime | None = None) -> TickResult:
    """Fire due timers, raise yellow and red alerts for steps past their marks, then the yellow and red ones
    of cases nearing or past their promised or legal limit."""
    now = now or clock.now()
    result = TickResult()
    due = _read_due(rt, now)
    _fire_timers(rt, due.timer_cases, result)
    _raise(rt, now, due.yellow, result, level=1)
    _raise(rt, now, due.red, result, level=2)
    _raise_limits(rt, now, due.late_cases, result)
    result.calendar_warnings = rt.calendar.warnings_for(now)
    for warning in result.calendar_warnings:
        log.warning(warning)
    return result


@dataclass(frozen=True)
class _Due:
    timer_cases: list[int]
    yellow: list[tuple[str, int]]
    red: list[tuple[str, int]]
    #: Cases whose yellow warning or limit alerts are due.
    late_cases: list[int]


def _read_due(rt: Runtime, now: datetime) -> _Due:
    """What is due, by index, in one read-only session (a tick with nothing due costs six indexed reads).

    The lists may go stale while the tick works (firing a timer opens and closes steps); each item is
    re-checked under its case lock, and a step opened meanwhile is seen by the next tick.
    """
    with rt.reader() as session:
        # Walk the fire_at index only as far as what is due; de-duplicate cases outside the query so the
        # database never has to group or sort the whole table.
        timers = session.execute(
            select(WaitingTimer.case_id).where(WaitingTimer.fire_at <= now)
            .order_by(WaitingTimer.fire_at).limit(BATCH)
        ).scalars().all()
        yellow = _due_steps(session, [0], OpenTask.warn_at, now)
        red = _due_steps(session, [0, 1], OpenTask.due_at, now)
        warned = _late_cases(session, [0], Case.promised_warn_at, now)
        promised = _late_cases(session, [0], Case.promised_due_at, now)
        legal = _late_cases(session, [0, 1], Case.legal_due_at, now)
    # A case due several of its alerts is one unit of work: all of them, one transaction.
    return _Due(list(dict.fromkeys(timers)), yellow, red, list(dict.fromkeys(warned + promised + legal)))


def _due_steps(session: Session, below: list[int], moment: InstrumentedAttribute[datetime | None],
               now: datetime) -> list[tuple[str, int]]:
    """(step id, case id) of open steps whose ``moment`` has passed and whose alert level is in ``below``."""
    # Equality (or a short IN list) on alert_level lets the (alert_level, moment) index seek straight to
    # what is due; a range on alert_level would scan every open step.
    rows = session.execute(select(OpenTask.id, OpenTask.case_id).where(OpenTask.alert_level.in_(below), moment <= now)
                           .order_by(moment).limit(BATCH))
    return [(task_id, case_id) for task_id, case_id in rows]


def _late_cases(session: Session, below: list[int], deadline: InstrumentedAttribute[datetime | None],
                now: datetime) -> list[int]:
    """Ids of running cases whose ``deadline`` has passed and whose limit alert level is in ``below``."""
    # Stating the partial indexes' own predicate lets both databases use them (the level leads, as above);
    # finished and paused cases are not in them at all.
    rows = session.execute(select(Case.id).where(text(CLOCK_RUNNING), Case.limit_alert_level.in_(below),
                                                 deadline <= now).order_by(deadline).limit(BATCH))
    return list(rows.scalars())


def _fire_timers(rt: Runtime, case_ids: list[int], result: TickResult) -> None:
    for case_id in case_ids:
        try:
            # Claiming the case row with SKIP LOCKED makes a second supervisor pass over it instead of
            # firing its timers again; on SQLite the database lock serialises writers instead.
            if fire_due_timers(rt, case_id, skip_locked=True):
                result.fired_cases += 1
        except RuntimeProblem as exc:
            log.error("case %s: timer could not fire: %s", case_id, exc.message("en"))
            result.failed.append(case_id)


def _raise(rt: Runtime, now: datetime, due: list[tuple[str, int]], result: TickResult, *, level: int) -> None:
    rule = "T1" if level == 1 else "T2"
    for task_id, case_id in due:
        # Lock order everywhere is case row → its index rows → audit head, so supervisors and staff never
        # deadlock; a case another process holds is left for the next tick.
        with rt.sessions() as session, session.begin():
            query = select(Case).where(Case.id == case_id).with_for_update(skip_locked=True, key_share=True)
            case = session.execute(query).scalar_one_or_none()
            task = session.get(OpenTask, task_id) if case is not None else None
            if case is None or task is None or task.alert_level >= level:
                continue
            if level == 1 and task.due_at is not None and task.due_at <= now:
                continue  # past its deadline already: the red alert says more, and comes in this tick
            if raise_alert(session, case, subject=task.id, rule=rule, step_name=task.name, due_at=task.due_at,
                           at=now):
                if level == 1:
                    result.yellow += 1
                else:
                    result.red += 1
            task.alert_level = level


def _raise_limits(rt: Runtime, now: datetime, case_ids: list[int], result: TickResult) -> None:
    """Raise the yellow warning before a running case's promised limit and the red T3 alerts past its promised or
    legal limit, each case in its own transaction."""
    for case_id in case_ids:
        # The case row lock, taken as for steps above, and the conditional UPDATEs make each alert once
        # however many supervisors race; the columns move without touching the case's version, so staff
        # working the case meanwhile are not refused.
        with rt.sessions() as session, session.begin():
            case = session.execute(_LOCK_LIMITS.where(Case.id == case_id)).scalar_one_or_none()
            if case is None or case.status != "running" or case.clock_paused_at is not None:
                continue
            if limits.warning_due(case, now) and _claim_warning(session, case) \
                    and limits.raise_warning(session, case, at=now, actor="supervisor"):
                result.limit_yellow += 1
            late = limits.passed(case, now)
            if not late or not _claim(session, case, limits.level_after(case, late)):
                continue
            result.limit_red += limits.raise_late(session, case, late, at=now, actor="supervisor")


def _claim_warning(session: Session, case: Case) -> bool:
    """Clear the case's warning moment, which takes it out of the warning index; False if another supervisor did."""
    cleared = session.execute(update(Case.__table__).where(
        _CASES.id == case.id, _CASES.promised_warn_at.is_not(None), _CASES.limit_alert_level == 0,
        text(CLOCK_RUNNING)).values(promised_warn_at=None))
    return cleared.rowcount == 1


def _claim(session: Session, case: Case, level: int) -> bool:
    """Move the case's limit alert level up to ``level``; False if another supervisor (or the case's end) did."""
    moved = session.execute(update(Case.__table__).where(
        _CASES.id == case.id, _CASES.limit_alert_level < level, text(CLOCK_RUNNING)).values(limit_alert_level=level))
    return moved.rowcount == 1
