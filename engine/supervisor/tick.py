"""One supervisor tick. It reads only rows that are due, by index: its cost grows with what is due,
not with what is open. Safe to run in several processes at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine import clock
from engine.alerts import raise_alert
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.runtime.timers import fire_due_timers
from engine.store import Case, OpenTask, WaitingTimer

log = logging.getLogger("sunshine.supervisor")
BATCH = 500


@dataclass
class TickResult:
    fired_cases: int = 0
    yellow: int = 0
    red: int = 0
    failed: list[int] = field(default_factory=list)
    calendar_warnings: list[str] = field(default_factory=list)


def tick(rt: Runtime, now: datetime | None = None) -> TickResult:
    """Fire due timers, then raise yellow and red alerts for steps past their marks."""
    now = now or clock.now()
    result = TickResult()
    due = _read_due(rt, now)
    _fire_timers(rt, due.timer_cases, result)
    _raise(rt, now, due.yellow, result, level=1)
    _raise(rt, now, due.red, result, level=2)
    result.calendar_warnings = rt.calendar.warnings_for(now)
    for text in result.calendar_warnings:
        log.warning(text)
    return result


@dataclass(frozen=True)
class _Due:
    timer_cases: list[int]
    yellow: list[tuple[str, int]]
    red: list[tuple[str, int]]


def _read_due(rt: Runtime, now: datetime) -> _Due:
    """What is due, by index, in one read-only session (a tick with nothing due costs three indexed reads).

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
    return _Due(list(dict.fromkeys(timers)), yellow, red)


def _due_steps(session: Session, below: list[int], moment: InstrumentedAttribute[datetime | None],
               now: datetime) -> list[tuple[str, int]]:
    """(step id, case id) of open steps whose ``moment`` has passed and whose alert level is in ``below``."""
    # Equality (or a short IN list) on alert_level lets the (alert_level, moment) index seek straight to
    # what is due; a range on alert_level would scan every open step.
    rows = session.execute(select(OpenTask.id, OpenTask.case_id).where(OpenTask.alert_level.in_(below), moment <= now)
                           .order_by(moment).limit(BATCH))
    return [(task_id, case_id) for task_id, case_id in rows]


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
            if raise_alert(session, case, subject=task.id, rule=rule, step_name=task.name, due_at=task.due_at,
                           at=now):
                if level == 1:
                    result.yellow += 1
                else:
                    result.red += 1
            task.alert_level = level
