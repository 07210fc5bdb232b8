"""One supervisor tick. It reads only rows that are due, by index: its cost grows with what is due,
not with what is open. It drains what was due at its start, in batches. Safe to run in several processes at
once. docs/supervision.md lists its rules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, or_, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session, load_only

from engine import clock
from engine.alerts import raise_alert
from engine.prepared import Batch, Prepared
from engine.rules.registry import tick_rules
from engine.runtime import limits
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.runtime.timers import fire_if_due
from engine.store import Case, OpenTask, WaitingTimer
from engine.store.case import CLOCK_RUNNING
from engine.supervision import alert_life

log = logging.getLogger("sunshine.supervisor")
#: Rows read at a time. A tick reads batch after batch until nothing that was due at its start is left.
BATCH = 500
_CASES = Case.__table__.c
_TASKS = OpenTask.__table__.c
# A step due an alert: its case locked (SKIP LOCKED), with what the alert needs and never the workflow JSON.
_LOCK_STEP = Prepared(
    select(_CASES.id, _CASES.department_id, _TASKS.name, _TASKS.due_at)
    .join_from(Case.__table__, OpenTask.__table__, _TASKS.case_id == _CASES.id)
    .where(_TASKS.id == bindparam("task_id"), _TASKS.alert_level < bindparam("level"))
    .with_for_update(skip_locked=True, key_share=True, of=Case.__table__))
_SET_LEVEL = Prepared(update(OpenTask.__table__).where(_TASKS.id == bindparam("task_id"))
                      .values(alert_level=bindparam("level")))
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
    #: Cases with due timers passed over: another supervisor held them or had just fired them.
    skipped: int = 0
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


def tick(rt: Runtime, now: datetime | None = None, *, batch: int = BATCH) -> TickResult:
    """Fire due timers, raise yellow and red alerts for steps past their marks, then the yellow and red ones
    of cases nearing or past their promised or legal limit: all that is due at ``now``, read ``batch`` rows at
    a time."""
    now = now or clock.now()
    result = TickResult()
    due = _Due(rt, batch)
    _fire_timers(rt, due, now, result)
    _raise(rt, due, now, result, level=1)
    _raise(rt, due, now, result, level=2)
    _raise_limits(rt, due, now, result)
    for rule in tick_rules():  # the registry's tick rules beyond T1–T3 (P9: pauses past their maximum length)
        result.red += rule.tick(rt, now) if rule.tick is not None else 0
    alert_life.start_lives(rt, now)  # each red alert raised so far goes to its department (an alert's life)
    result.calendar_warnings = rt.calendar.warnings_for(now)
    for warning in result.calendar_warnings:
        log.warning(warning)
    return result


@dataclass(frozen=True)
class _Due:
    """Reads what is due, ``batch`` rows at a time."""

    rt: Runtime
    batch: int

    def __call__(self, query: Select[Any], moment: InstrumentedAttribute[Any],
                 key: InstrumentedAttribute[Any]) -> Iterator[Any]:
        """The rows of ``query`` in (``moment``, ``key``) order, a batch at a time, each once.

        Each batch starts after the last row of the one before (keyset), so a row left due (its case held by
        another supervisor, or failing) is not read again, and rows due after the tick's start (``query`` bounds
        ``moment`` by it) wait for the next tick: a tick ends however fast new work arrives.
        """
        after: tuple[Any, Any] | None = None
        while True:
            page = query
            if after is not None:
                # Spelled out rather than as a row comparison so that both databases seek the moment's index.
                page = page.where(moment >= after[0], or_(moment > after[0], key > after[1]))
            with self.rt.reader() as session:
                rows = session.execute(page.order_by(moment, key).limit(self.batch)).all()
            yield from rows
            if len(rows) < self.batch:
                return
            after = (rows[-1][0], rows[-1][1])


def _fire_timers(rt: Runtime, due: _Due, now: datetime, result: TickResult) -> None:
    timers = select(WaitingTimer.fire_at, WaitingTimer.id, WaitingTimer.case_id).where(WaitingTimer.fire_at <= now)
    seen: set[int] = set()
    for _, _, case_id in due(timers, WaitingTimer.fire_at, WaitingTimer.id):
        if case_id in seen:  # one firing fires all of a case's due timers
            continue
        seen.add(case_id)
        try:
            # The case row is claimed with SKIP LOCKED, and only while a timer of it is still due: a second
            # supervisor passes over a case the first holds or has just fired, without restoring it. On
            # SQLite the database lock serialises writers instead.
            if fire_if_due(rt, case_id, now):
                result.fired_cases += 1
            else:
                result.skipped += 1
        except RuntimeProblem as exc:
            log.error("case %s: timer could not fire: %s", case_id, exc.message("en"))
            result.failed.append(case_id)


def _raise(rt: Runtime, due: _Due, now: datetime, result: TickResult, *, level: int) -> None:
    """Raise the yellow (``level`` 1) or red (2) alerts of open steps past their warning moment or deadline."""
    moment = OpenTask.warn_at if level == 1 else OpenTask.due_at
    for below in range(level):
        # Equality on alert_level lets the (alert_level, moment) index seek straight to what is due; a range
        # on it would scan every open step.
        steps = select(moment, OpenTask.id).where(OpenTask.alert_level == below, moment <= now)
        for _, task_id in due(steps, moment, OpenTask.id):
            _raise_step(rt, now, task_id, result, level=level)


def _raise_step(rt: Runtime, now: datetime, task_id: str, result: TickResult, *, level: int) -> None:
    """One step's alert, its audit event and its new alert level, in one transaction holding its case."""
    rule = "T1" if level == 1 else "T2"
    # Lock order everywhere is case row → its index rows → audit stream, so supervisors and staff never
    # deadlock; a case another process holds is left to it (it will see the step too, or the next tick will).
    with rt.sessions() as session, session.begin():
        conn = session.connection()
        step = _LOCK_STEP.first(conn, {"task_id": task_id, "level": level})
        if step is None:  # held elsewhere, gone, or alerted meanwhile
            return
        if level == 1 and step.due_at is not None and step.due_at <= now:
            return  # past its deadline already: the red alert says more, and comes in this tick
        writes = Batch()
        if raise_alert(session, step, subject=task_id, rule=rule, step_name=step.name, due_at=step.due_at, at=now,
                       writes=writes):
            if level == 1:
                result.yellow += 1
            else:
                result.red += 1
        writes.add(_SET_LEVEL, {"task_id": task_id, "level": level})
        writes.flush(conn)


#: Each case-level deadline the tick watches, and the limit alert levels below which it is still to be alerted.
_LIMITS: list[tuple[InstrumentedAttribute[datetime | None], list[int]]] = [
    (Case.promised_warn_at, [0]), (Case.promised_due_at, [0]), (Case.legal_due_at, [0, 1])]


def _raise_limits(rt: Runtime, due: _Due, now: datetime, result: TickResult) -> None:
    """Raise the yellow warning before a running case's promised limit and the red T3 alerts past its promised or
    legal limit, each case in its own transaction: all its due alerts at once, whichever list found it first."""
    seen: set[int] = set()
    for deadline, levels in _LIMITS:
        for level in levels:
            # Stating the partial indexes' own predicate lets both databases use them (the level leads, as for
            # steps); finished and paused cases are not in them at all.
            cases = select(deadline, Case.id).where(text(CLOCK_RUNNING), Case.limit_alert_level == level,
                                                    deadline <= now)
            for _, case_id in due(cases, deadline, Case.id):
                if case_id not in seen:
                    seen.add(case_id)
                    _raise_case_limits(rt, now, case_id, result)


def _raise_case_limits(rt: Runtime, now: datetime, case_id: int, result: TickResult) -> None:
    # The case row lock, taken as for steps above, and the conditional UPDATEs make each alert once
    # however many supervisors race; the columns move without touching the case's version, so staff
    # working the case meanwhile are not refused.
    with rt.sessions() as session, session.begin():
        case = session.execute(_LOCK_LIMITS.where(Case.id == case_id)).scalar_one_or_none()
        if case is None or case.status != "running" or case.clock_paused_at is not None:
            return
        if limits.warning_due(case, now) and _claim_warning(session, case) \
                and limits.raise_warning(session, case, at=now, actor="supervisor"):
            result.limit_yellow += 1
        late = limits.passed(case, now)
        if not late or not _claim(session, case, limits.level_after(case, late)):
            return
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
