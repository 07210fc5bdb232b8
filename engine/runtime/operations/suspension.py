"""暂停 / 恢复 of a whole case on a legal ground (``grounds``), with rule P9 for a pause that lasts too long.

**Pausing** takes the case off the clock (DESIGN §7b): every waiting timer's moment is kept in the pause's row
(``case_suspensions.frozen``) and set far in the future, in the workflow (the boundary-event task's
``internal_data['event_value']``) and in its index row (``waiting_timers.fire_at``) together, so no supervisor fires it;
each open step's deadline and warning moment are kept and cleared, so no alert falls due; ``cases.suspended_at`` and
``cases.clock_paused_at`` are set (the case limits, T3, pass a paused case by; the inbox's 已暂停 filter reads
``clock_paused_at``). While paused no step can be worked nor the case returned.

**Resuming** gives the time back: each kept moment moves on by the working days the pause took (those after the day
it began, up to and including the day it ended, as ``case_clock`` counts them), written to the workflow and the index
rows; each open step's deadline and warning likewise; the case's promised and legal deadlines move on through
``case_clock`` (unless a step that stops the clock, 补正, is still open). Audit events ``case.paused`` (ground,
reason, maximum) and ``case.resumed`` (working days, each timer's and step's new moment).

**P9**: a pause still running past its ground's maximum length raises one red alert (subject ``suspension:<id>``);
``alert_long_pauses`` runs in every supervisor tick.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.alerts import raise_alert
from engine.runtime.errors import RuntimeProblem
from engine.runtime.inspect import armed_timers
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused, optional_reason, required_reason
from engine.runtime.operations.grounds import grounds
from engine.runtime.runtime import Loaded, Runtime
from engine.store import Case, OpenTask, User, WaitingTimer
from engine.store.operations import CaseSuspension

#: Where a paused timer waits: later than any deadline the calendar could compute, so nothing fires.
FROZEN = datetime(9000, 1, 1, tzinfo=UTC)
RULE = "P9"

_TIMERS = WaitingTimer.__table__.c
_TASKS = OpenTask.__table__.c
_SET_FIRE = update(WaitingTimer.__table__).where(_TIMERS.id == bindparam("tid")).values(fire_at=bindparam("at"))
_SET_DUE = (update(OpenTask.__table__).where(_TASKS.id == bindparam("tid"))
            .values(due_at=bindparam("due"), warn_at=bindparam("warn")))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def suspend(rt: Runtime, case_id: int, user: User, ground: str, reason: str | None) -> CaseSuspension:
    """Pause case ``case_id`` on ``ground`` (a code of ``grounds()``); the pause's row."""
    known = grounds()
    if ground not in known:
        raise OperationRefused("suspend.ground", field="ground")
    text = required_reason(reason) if known[ground].needs_reason else optional_reason(reason)
    try:
        with rt.locked(case_id) as loaded:
            assert loaded is not None
            session, case, now = loaded.session, loaded.case, loaded.now
            if case.status != "running":
                raise OperationRefused("op.not_running")
            if case.suspended_at is not None:
                raise OperationRefused("suspend.already")
            if not policy.may_act_on_case(session, user, case):
                raise OperationRefused("op.not_allowed")
            frozen = _freeze(loaded)
            _set_suspended(loaded, now)
            limit = known[ground].max_workdays
            alert_at = rt.calendar.add_workdays(now, limit) if limit else None
            row = CaseSuspension(case_id=case.id, ground=ground, reason=text, started_at=now,
                                 started_by=user.username, alert_at=alert_at, frozen=frozen)
            session.add(row)
            audit.queue(session, loaded.writes, user.username, "case.paused", case_id=case.id,
                        payload={"ground": known[ground].zh, "ground_code": ground, "reason": text,
                                 "max_workdays": limit, "alert_at": alert_at}, at=now)
            rt.save(loaded, user.username)
            return row
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def resume(rt: Runtime, case_id: int, user: User) -> CaseSuspension:
    """Resume paused case ``case_id``: its timers, steps and limits move on by the working days it was paused."""
    try:
        with rt.locked(case_id) as loaded:
            assert loaded is not None
            if loaded.case.suspended_at is None:
                raise OperationRefused("resume.not_suspended")
            if not policy.may_act_on_case(loaded.session, user, loaded.case):
                raise OperationRefused("op.not_allowed")
            row = resume_locked(rt, loaded, user.username)
            rt.save(loaded, user.username)
            return row
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def resume_locked(rt: Runtime, loaded: Loaded, actor: str) -> CaseSuspension:
    """Resume the locked, paused case inside the caller's transaction (it saves): also before the case ends."""
    session, case, now = loaded.session, loaded.case, loaded.now
    row = session.execute(select(CaseSuspension).where(CaseSuspension.case_id == case.id,
                                                       CaseSuspension.resumed_at.is_(None))
                          .order_by(CaseSuspension.id.desc()).limit(1)).scalar_one()
    assert case.suspended_at is not None
    days = max(0, rt.calendar.workdays_between(case.suspended_at, now))
    moved = _thaw(rt, loaded, row.frozen, days)
    _set_suspended(loaded, None)
    row.resumed_at, row.resumed_by, row.workdays = now, actor, days
    audit.queue(session, loaded.writes, actor, "case.resumed", case_id=case.id,
                payload={"suspension": row.id, "ground_code": row.ground, "paused_at": row.started_at,
                         "workdays": days, **moved}, at=now)
    return row


def _set_suspended(loaded: Loaded, at: datetime | None) -> None:
    # Written beside the save's own case write (which checks and bumps the version); the session's case sees it,
    # so the save's clock (case_clock) knows the case is paused.
    case = loaded.case
    loaded.session.execute(update(Case.__table__).where(Case.__table__.c.id == case.id).values(suspended_at=at))
    set_committed_value(case, "suspended_at", at)


def _freeze(loaded: Loaded) -> dict[str, Any]:
    """Set every waiting timer and open step of the case off the clock; what they were, to give back on resume."""
    session, workflow = loaded.session, loaded.workflow
    timers: dict[str, str] = {}
    for timer in armed_timers(workflow):
        task = workflow.get_task_from_id(UUID(timer.task_id))
        timers[timer.task_id] = timer.fire_at.isoformat()
        task._set_internal_data(event_value=FROZEN.isoformat())
        moved_timer(loaded, timer.task_id, FROZEN)
    steps: dict[str, list[str | None]] = {}
    for tid, due, warn in session.execute(select(OpenTask.id, OpenTask.due_at, OpenTask.warn_at)
                                          .where(OpenTask.case_id == loaded.case.id)):
        steps[tid] = [_iso(due), _iso(warn)]
        session.execute(_SET_DUE, {"tid": tid, "due": None, "warn": None})
    return {"timers": timers, "steps": steps}


def _thaw(rt: Runtime, loaded: Loaded, frozen: dict[str, Any], days: int) -> dict[str, Any]:
    """Give the frozen timers and steps their moments back, ``days`` working days later; what they became."""
    session, workflow, cal = loaded.session, loaded.workflow, rt.calendar

    def later(moment: datetime | None) -> datetime | None:
        return None if moment is None else cal.add_workdays(moment, days) if days else moment

    timers = []
    for tid, was in frozen.get("timers", {}).items():
        task = workflow.tasks.get(UUID(tid))
        if task is None or task.state != TaskState.WAITING:
            continue
        fire_at = later(_parse(was))
        assert fire_at is not None
        task._set_internal_data(event_value=fire_at.isoformat())
        moved_timer(loaded, tid, fire_at)
        timers.append({"timer": tid, "name": task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                       "was": was, "fire_at": fire_at})
    steps = []
    for tid, (due, warn) in frozen.get("steps", {}).items():
        new_due, new_warn = later(_parse(due)), later(_parse(warn))
        done = session.execute(_SET_DUE, {"tid": tid, "due": new_due, "warn": new_warn})
        if done.rowcount:
            steps.append({"task": tid, "was": due, "due_at": new_due})
    return {"timers": timers, "steps": steps}


def moved_timer(loaded: Loaded, timer_id: str, at: datetime) -> None:
    """Set a waiting timer's index row (and the runtime's index of it) to fire at ``at``; the caller has set the
    timer task's ``event_value`` to the same moment."""
    loaded.session.execute(_SET_FIRE, {"tid": timer_id, "at": at})
    if loaded.index is not None and timer_id in loaded.index.timers:
        loaded.index.timers[timer_id] = {**loaded.index.timers[timer_id], "fire_at": at}


def running_suspension(session: Any, case_id: int) -> CaseSuspension | None:
    """The case's pause still running, if any."""
    return session.execute(select(CaseSuspension).where(CaseSuspension.case_id == case_id,
                                                        CaseSuspension.resumed_at.is_(None))
                           .order_by(CaseSuspension.id.desc()).limit(1)).scalar_one_or_none()


def alert_long_pauses(rt: Runtime, now: datetime) -> int:
    """Rule P9: raise a red alert for each pause still running past its ground's maximum; how many were new.

    Read by the partial index of running pauses; a write transaction only when one is due (each alert once).
    """
    query = (select(CaseSuspension.id, CaseSuspension.case_id, CaseSuspension.ground, CaseSuspension.alert_at,
                    Case.department_id).join(Case, Case.id == CaseSuspension.case_id)
             .where(CaseSuspension.resumed_at.is_(None), CaseSuspension.alert_at <= now))
    with rt.reader() as reader:
        due = reader.execute(query).all()
    if not due:
        return 0
    raised = 0
    known = grounds()
    with rt.sessions() as session, session.begin():
        for row in due:
            ground = known.get(row.ground)
            details = {"ground": ground.zh if ground else row.ground, "ground_en": ground.en if ground else row.ground,
                       "days": ground.max_workdays if ground else 0}
            if raise_alert(session, _CaseRef(row.case_id, row.department_id), subject=f"suspension:{row.id}",
                           rule=RULE, step_name=None, due_at=row.alert_at, at=now, details=details):
                raised += 1
    return raised


class _CaseRef:
    """What raising an alert needs of a case."""

    def __init__(self, case_id: int, department_id: int) -> None:
        self.id, self.department_id = case_id, department_id
