"""退回: send a case back to an earlier step it went through.

A flowchart models the normal returns as arrows (审核 → 承办 through the 审核结论 gateway): a return to a step that an
arrow leads to straight from the current step (through gateways only) is **regular** and needs no reason. Any other
earlier step may be chosen too, with a reason: such a return is **irregular** and recorded so that supervision rule
P1 (seed 003 第十条(二)4) can judge it.

The workflow is reset to the earlier step's task (SpiffWorkflow 3.2 ``reset_from_task_id``): what followed it is
dropped, the step is READY again under the same task id, its limit timers are armed afresh from now. The step's new
index row carries the reason (``open_tasks.returned_reason``, "" for a regular return without one) and goes to whoever
worked it before while they still hold its post; their answers are filled in again from their step record
(``reopened_values``).

Audit event ``case.returned`` (the case's stream), payload: ``from`` / ``to`` (step names), ``reason``, ``irregular``
(bool), ``from_bpmn_id`` / ``to_bpmn_id``, ``from_task`` / ``to_task`` and ``to_actor`` (who worked the earlier step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.runtime.errors import RuntimeProblem
from engine.runtime.hooks import ReturnEvent
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused, optional_reason, required_reason
from engine.runtime.runtime import Runtime
from engine.store import OpenTask, StepRecord, User


@dataclass(frozen=True)
class ReturnTarget:
    """An earlier step a case may be returned to; ``modelled`` when an arrow leads there from the current step."""

    bpmn_id: str
    name: str
    modelled: bool


def modelled_next(spec: Any) -> set[str]:
    """The user tasks an arrow leads to straight from step ``spec`` (through gateways and joins, not timers)."""
    out: set[str] = set()
    seen: set[str] = set()
    stack = list(spec.outputs)
    while stack:
        nxt = stack.pop()
        if nxt.name in seen or isinstance(nxt, BoundaryEvent):
            continue
        seen.add(nxt.name)
        if getattr(nxt, "manual", False):
            out.add(nxt.bpmn_id)
            continue
        stack.extend(nxt.outputs)
    return out


def _earlier(current: Task, bpmn_id: str) -> Task | None:
    """The latest completed task of ``bpmn_id`` on the path that led to ``current``."""
    task = current.parent
    while task is not None:
        if task.task_spec.bpmn_id == bpmn_id and task.state == TaskState.COMPLETED:
            return task
        task = task.parent
    return None


def return_to(rt: Runtime, task_id: str, user: User, target: str, reason: str | None) -> str:
    """Return the case of open step ``task_id`` to its earlier step ``target`` (a BPMN id); the reopened step's id.

    A reason is required unless an arrow of the flowchart leads there (``op.reason_required`` at ``reason``).
    """
    try:
        with rt.locked_by_step(task_id, user.id) as loaded:
            assert loaded is not None and loaded.step is not None
            session, case, workflow = loaded.session, loaded.case, loaded.workflow
            if case.status != "running":
                raise OperationRefused("op.not_running")
            if case.suspended_at is not None:
                raise OperationRefused("op.suspended")
            row = session.execute(select(OpenTask).where(OpenTask.id == task_id)).scalar_one()
            if not policy.may_return(session, user, row):
                raise OperationRefused("op.not_allowed")
            current = workflow.get_task_from_id(UUID(task_id))
            if current is None or current.state != TaskState.READY:
                raise RuntimeProblem("task.not_ready")
            earlier = _earlier(current, target) if target != row.bpmn_id else None
            if earlier is None:
                raise OperationRefused("return.no_target", field="target")
            irregular = target not in modelled_next(current.task_spec)
            text = required_reason(reason) if irregular else optional_reason(reason)
            reopened = str(earlier.id)
            before = session.execute(select(StepRecord.actor).where(StepRecord.case_id == case.id,
                                                                    StepRecord.task_id == reopened)
                                     .order_by(StepRecord.id.desc()).limit(1)).scalar()
            for gone in workflow.reset_from_task_id(earlier.id):
                # SpiffWorkflow 3.2 keeps dropped timer tasks in its event manager, where the next refresh trips on
                # them: they are gone from the tree, so they go from there too.
                workflow.event_manager.remove_task(gone)
            rt.advance(loaded)
            audit.queue(session, loaded.writes, user.username, "case.returned", case_id=case.id, step=row.name,
                        payload={"from": row.name, "to": earlier.task_spec.bpmn_name or target, "reason": text,
                                 "irregular": irregular, "from_bpmn_id": row.bpmn_id, "to_bpmn_id": target,
                                 "from_task": task_id, "to_task": reopened, "to_actor": before}, at=loaded.now)
            rt.save(loaded, user.username)
            values: dict[str, Any] = {"returned_reason": text}
            previous = _holder(session, before, reopened)
            if previous is not None:
                values["assignee_id"] = previous
            session.execute(update(OpenTask).where(OpenTask.id == reopened).values(**values)
                            .execution_options(synchronize_session=False))
            rt.hooks.run_after_return(ReturnEvent(session, case, user, task_id, row.name, reopened, target,
                                                  earlier.task_spec.bpmn_name or target, text, irregular))
            return reopened
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def _holder(session: Session, username: str | None, task_id: str) -> int | None:
    """The user ``username`` when they still hold the post of the reopened step ``task_id``."""
    if username is None:
        return None
    found = session.execute(select(User.id, OpenTask.post_id).join(OpenTask, OpenTask.id == task_id)
                            .where(User.username == username, User.active.is_(True))).first()
    if found is None or not policy.holds_post(session, found.id, found.post_id):
        return None
    return int(found.id)


def last_record(session: Session, task_id: str) -> StepRecord | None:
    """The newest record of step ``task_id`` (a reopened step keeps its id): what was answered last time."""
    return session.execute(select(StepRecord).where(StepRecord.task_id == task_id)
                           .order_by(StepRecord.id.desc()).limit(1)).scalar_one_or_none()
