"""Keep the indexed rows (open tasks, waiting timers) in step with a case's workflow.

A step's row carries its deadline and the moment its yellow warning falls due (``engine/runtime/limits.py``);
a deadline that measures the applicant's or a third party's time gets no warning and the alert level
``NO_ALERTS``. As a step leaves before its deadline, or the case ends before its promised limit, the yellow
warning raised on it is closed (``CLOSED_IN_TIME``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, false, insert, null, select, true, union_all
from sqlalchemy.orm import Session

from engine import alerts
from engine.calendar import WorkCalendar
from engine.prepared import Batch, Prepared
from engine.runtime import case_clock, limits
from engine.runtime.case_clock import pauses_clock
from engine.runtime.inspect import (
    ArmedTimer,
    ReadyStep,
    armed_timers,
    form_of,
    ready_steps,
    task_state,
    timer_alerts,
)
from engine.runtime.live import IndexState
from engine.store import Case, OpenTask, Post, User, WaitingTimer
from engine.store.case import CLOSED_IN_TIME, NO_ALERTS

_JUEL_VAR = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")

# Prepared once: these run on every step, queued in the step's batch of writes.
_DROP_TIMER = Prepared(delete(WaitingTimer).where(WaitingTimer.id == bindparam("id")))
_DROP_TASK = Prepared(delete(OpenTask).where(OpenTask.id == bindparam("id")))
_ADD_TIMERS = Prepared(insert(WaitingTimer))
_ADD_TASKS = Prepared(insert(OpenTask))
_TIMER_COLUMNS = (WaitingTimer.id, WaitingTimer.case_id, WaitingTimer.bpmn_id, WaitingTimer.name,
                  WaitingTimer.attached_task_id, WaitingTimer.attached_name, WaitingTimer.interrupting,
                  WaitingTimer.fire_at)
_TIMER_KEYS = [column.key for column in _TIMER_COLUMNS]
# Both tables' rows of a case: timers with their values, open steps by id only (their values are not needed).
_READ_STATE = Prepared(union_all(
    select(true().label("timer"), *_TIMER_COLUMNS).where(WaitingTimer.case_id == bindparam("case_id")),
    select(false(), OpenTask.id, *(null() for _ in _TIMER_COLUMNS[1:]))
    .where(OpenTask.case_id == bindparam("case_id")),
))
# Processes' clocks may disagree by a little: a yellow warning raised by a supervisor whose clock runs ahead
# must still be found when its step leaves.
_CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class FiredTimer:
    """A timer that fired during the mutation just made (the values of its former index row)."""

    id: str
    bpmn_id: str
    name: str
    #: The step whose limit this was, for its red alert (T2); None for a timer on no step, and for one that
    #: measures the applicant's or a third party's time, whose expiry moves the case but alerts nobody.
    attached_task_id: str | None
    attached_name: str | None
    interrupting: bool
    fire_at: datetime


class Lanes:
    """Resolves a step's lane (or candidate group) to a post id; department matches are remembered.

    The first of the step's names (lane, then candidate groups) that is a post of the case's department wins.
    Posts are never renamed or deleted, so a match on the first name stays right; a match on a later name is
    not remembered, since the department may yet add a post named like an earlier one. Nor is the fallback —
    a post name that exists in exactly one department — since another department may add it later.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def post_id(self, session: Session, department_id: int, step: ReadyStep) -> int | None:
        names = [step.lane] if step.lane else []
        names += [g.strip() for g in str(step.extensions.get("candidateGroups", "")).split(",") if g.strip()]
        if not names:
            return None
        key = (department_id, names[0])
        found = self._found.get(key)
        if found is not None:
            return found
        rows = dict(session.execute(select(Post.name, Post.id)
                                    .where(Post.department_id == department_id, Post.name.in_(names))).all())
        if names[0] in rows:
            with self._lock:
                self._found[key] = rows[names[0]]
        for name in names:
            if name in rows:
                return rows[name]
        for name in names:
            only = session.execute(select(Post.id).where(Post.name == name).limit(2)).scalars().all()
            if len(only) == 1:
                return only[0]
        return None


def _assignee_id(session: Session, step: ReadyStep, data: dict) -> int | None:
    raw = str(step.extensions.get("assignee") or "").strip()
    if not raw:
        return None
    match = _JUEL_VAR.match(raw)
    username = str(data.get(match.group(1), "")) if match else raw
    return session.execute(select(User.id).where(User.username == username)).scalar()


def read_state(session: Session, case_id: int) -> IndexState:
    """The case's index rows as stored (one statement: a step on a case the live cache does not hold needs them)."""
    timers, tasks = {}, set()
    for row in _READ_STATE.all(session.connection(), {"case_id": case_id}):
        if row.timer:
            timers[row.id] = {key: getattr(row, key) for key in _TIMER_KEYS}
        else:
            tasks.add(row.id)
    return IndexState(timers, tasks)


def sync(session: Session, case: Case, workflow: BpmnWorkflow, calendar: WorkCalendar, lanes: Lanes,
         writes: Batch, *, warn_workdays: float, now: datetime,
         known: IndexState | None = None) -> tuple[list[FiredTimer], IndexState]:
    """Queue the rewrite of the case's index rows in ``writes``; return the timers that fired since the last
    sync and the new rows.

    ``known`` is the state the previous sync left (from the live cache); without it the rows are read.
    """
    old = known if known is not None else read_state(session, case.id)
    armed = armed_timers(workflow)
    timers = {t.task_id: _timer_values(case, t) for t in armed}
    gone_timers = [tid for tid in old.timers if tid not in timers]
    fired = [_fired(workflow, tid, old.timers[tid]) for tid in gone_timers
             if _state_of(workflow, tid) == TaskState.COMPLETED]
    writes.add_many(_DROP_TIMER, ({"id": tid} for tid in gone_timers))
    writes.add_many(_ADD_TIMERS, (values for tid, values in timers.items() if tid not in old.timers))
    kept_timers = {tid: old.timers.get(tid, values) for tid, values in timers.items()}

    steps = {s.task_id: s for s in ready_steps(workflow, armed)}
    gone_tasks = [tid for tid in old.tasks if tid not in steps]
    writes.add_many(_DROP_TASK, ({"id": tid} for tid in gone_tasks))
    _close_warnings(session, case, workflow, old, gone_tasks, calendar, writes, warn_workdays=warn_workdays,
                    now=now)
    data = workflow.last_task.data if workflow.last_task else {}
    rows = []
    for tid, step in steps.items():
        if tid in old.tasks:
            continue
        alerting = step.due_at is not None and step.alerts
        rows.append({
            "id": tid, "case_id": case.id, "bpmn_id": step.bpmn_id, "name": step.name, "lane": step.lane,
            "post_id": lanes.post_id(session, case.department_id, step), "department_id": case.department_id,
            "assignee_id": _assignee_id(session, step, data), "form": form_of(step.extensions), "created_at": now,
            "due_at": step.due_at,
            "warn_at": limits.warn_at(calendar, now, step.due_at, warn_workdays) if alerting else None,
            "alert_level": 0 if alerting or step.due_at is None else NO_ALERTS,
        })
    writes.add_many(_ADD_TASKS, rows)
    paused = any(pauses_clock(step.properties) for step in steps.values())
    return fired, IndexState(kept_timers, set(steps), paused)


def _state_of(workflow: BpmnWorkflow, task_id: str) -> int | None:
    """The task's state; None for a task no longer in the tree (a return to an earlier step drops what followed)."""
    try:
        return task_state(workflow, task_id)
    except TaskNotFoundException:
        return None


def _fired(workflow: BpmnWorkflow, timer_id: str, row: dict[str, Any]) -> FiredTimer:
    values = {k: v for k, v in row.items() if k != "case_id"}
    if not timer_alerts(workflow, timer_id):
        values["attached_task_id"] = None
    return FiredTimer(**values)


def _close_warnings(session: Session, case: Case, workflow: BpmnWorkflow, old: IndexState, gone: list[str],
                    calendar: WorkCalendar, writes: Batch, *, warn_workdays: float, now: datetime) -> None:
    """Close the yellow warnings of steps that left before their deadline, and the case's as it ends in time.

    Costs nothing unless a warning may exist: a step left before its warning could fall due has none.
    """
    subjects = [tid for tid in gone if _may_have_warned(tid, old, calendar, warn_workdays, now)]
    ending = workflow.completed and case.status == "running"
    # The case's warning was raised when its moment is cleared while no red alert has come since.
    if ending and case.promised_due_at is not None and case.promised_warn_at is None \
            and case.limit_alert_level == 0:
        subjects.append(limits.PROMISED)
    if not subjects:
        return
    for alert in alerts.open_alerts(session, case.id, subjects, limits.WARNING_RULE):
        due = _promised_due(case, now, calendar) if alert.subject == limits.PROMISED else alert.due_at
        if due is None or now < due:
            alerts.close(session, alert, CLOSED_IN_TIME, at=now, writes=writes)


def _may_have_warned(task_id: str, old: IndexState, calendar: WorkCalendar, warn_workdays: float,
                     now: datetime) -> bool:
    """False when the step left before any yellow warning on it could fall due."""
    fires = [t["fire_at"] for t in old.timers.values() if t["attached_task_id"] == task_id]
    if not fires:
        return True  # its limit fired earlier (or it had none): only the alerts table knows
    # The warning is never earlier than ``warn_workdays`` before the earliest of the step's timers.
    return now >= calendar.minus_workdays(min(fires), warn_workdays) - _CLOCK_SKEW


def _promised_due(case: Case, now: datetime, calendar: WorkCalendar) -> datetime | None:
    """The case's promised limit as it stands once a pause that ends now has moved it on."""
    if case.clock_paused_at is None:
        return case.promised_due_at
    resumed = case_clock.change(case, False, now, calendar)
    return resumed.values["promised_due_at"] if resumed is not None else case.promised_due_at


def _timer_values(case: Case, timer: ArmedTimer) -> dict[str, Any]:
    return {"id": timer.task_id, "case_id": case.id, "bpmn_id": timer.bpmn_id, "name": timer.name,
            "attached_task_id": timer.attached_task_id, "attached_name": timer.attached_name,
            "interrupting": timer.interrupting, "fire_at": timer.fire_at}
