"""Keep the indexed rows (open tasks, waiting timers) in step with a case's workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar
from engine.identity import find_post
from engine.runtime.inspect import ArmedTimer, ReadyStep, armed_timers, ready_steps, task_state
from engine.store import Case, OpenTask, Post, User, WaitingTimer

_JUEL_VAR = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")


@dataclass(frozen=True)
class FiredTimer:
    """A timer that fired during the mutation just made."""

    row: WaitingTimer


def _post_id(session: Session, case: Case, step: ReadyStep) -> int | None:
    names = [step.lane] if step.lane else []
    names += [g.strip() for g in str(step.extensions.get("candidateGroups", "")).split(",") if g.strip()]
    for name in names:
        post = find_post(session, case.department_id, name)
        if post is not None:
            return post.id
    # A lane may also name a post that exists in exactly one department (法制办's 合法性审查, 政府's 审定).
    for name in names:
        found = session.execute(select(Post.id).where(Post.name == name).limit(2)).scalars().all()
        if len(found) == 1:
            return found[0]
    return None


def _assignee_id(session: Session, step: ReadyStep, data: dict) -> int | None:
    raw = str(step.extensions.get("assignee") or "").strip()
    if not raw:
        return None
    match = _JUEL_VAR.match(raw)
    username = str(data.get(match.group(1), "")) if match else raw
    return session.execute(select(User.id).where(User.username == username)).scalar()


def _form_name(step: ReadyStep) -> str | None:
    return step.properties.get("formJsonSchemaFilename") or step.extensions.get("formKey") or None


def sync(session: Session, case: Case, workflow: BpmnWorkflow, calendar: WorkCalendar, *,
         warn_workdays: float, now: datetime) -> list[FiredTimer]:
    """Rewrite the case's index rows; return the timers that fired since the last sync.

    Plain Core statements (one query, one delete, one insert per table at most): this runs on every step.
    """
    armed = armed_timers(workflow)
    timers = {t.task_id: t for t in armed}
    old_timers = session.execute(select(WaitingTimer).where(WaitingTimer.case_id == case.id)).scalars().all()
    fired = [FiredTimer(row) for row in old_timers
             if row.id not in timers and task_state(workflow, row.id) == TaskState.COMPLETED]
    gone_timers = [row.id for row in old_timers if row.id not in timers]
    for row in old_timers:
        session.expunge(row)  # the rows are replaced below; keep the objects only as read values
    if gone_timers:
        session.execute(delete(WaitingTimer).where(WaitingTimer.id.in_(gone_timers)))
    kept = {r.id for r in old_timers}
    new_timers = [_timer_values(case, t) for t in armed if t.task_id not in kept]
    if new_timers:
        session.execute(insert(WaitingTimer), new_timers)

    steps = {s.task_id: s for s in ready_steps(workflow, armed)}
    old_tasks = set(session.execute(select(OpenTask.id).where(OpenTask.case_id == case.id)).scalars())
    gone = [tid for tid in old_tasks if tid not in steps]
    if gone:
        session.execute(delete(OpenTask).where(OpenTask.id.in_(gone)))
    data = workflow.last_task.data if workflow.last_task else {}
    rows = []
    for tid, step in steps.items():
        if tid in old_tasks:
            continue
        warn_at = calendar.minus_workdays(step.due_at, warn_workdays) if step.due_at else None
        rows.append({
            "id": tid, "case_id": case.id, "bpmn_id": step.bpmn_id, "name": step.name, "lane": step.lane,
            "post_id": _post_id(session, case, step), "department_id": case.department_id,
            "assignee_id": _assignee_id(session, step, data), "form": _form_name(step), "created_at": now,
            "due_at": step.due_at, "warn_at": warn_at, "alert_level": 0,
        })
    if rows:
        session.execute(insert(OpenTask), rows)
    return fired


def _timer_values(case: Case, timer: ArmedTimer) -> dict[str, object]:
    return {"id": timer.task_id, "case_id": case.id, "bpmn_id": timer.bpmn_id, "name": timer.name,
            "attached_task_id": timer.attached_task_id, "attached_name": timer.attached_name,
            "interrupting": timer.interrupting, "fire_at": timer.fire_at}
