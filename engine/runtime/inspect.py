"""Read what a SpiffWorkflow workflow is waiting for: ready user tasks and armed timers.

A timer marked ``clock = applicant`` or ``clock = third_party`` (DESIGN §4.4) measures someone else's time, such
as the applicant's 15 working days to supplement (补正): it moves the case when it expires, as modelled, but its
step is not the department's to finish by then, so it raises no alert.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

SPLIT_SUFFIX = ".BoundaryEventSplit"
#: Values of a timer's ``clock`` property: whose time it measures, when not the department's.
OTHERS_TIME = frozenset({"applicant", "third_party"})


@dataclass(frozen=True)
class ReadyStep:
    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    properties: dict[str, str]
    extensions: dict[str, Any]
    #: The earliest of the department's limits on the step or, without one, of the others' (applicant's …).
    due_at: datetime | None
    #: False when ``due_at`` measures the applicant's or a third party's time: no alert on it.
    alerts: bool = True


@dataclass(frozen=True)
class ArmedTimer:
    task_id: str
    bpmn_id: str
    name: str
    fire_at: datetime
    interrupting: bool
    attached_task_id: str | None
    attached_name: str | None
    #: False for a timer that measures the applicant's or a third party's time.
    alerts: bool = True


def measures_others_time(properties: Mapping[str, Any]) -> bool:
    """True when a timer's properties mark it as the applicant's or a third party's time (``clock``)."""
    return str(properties.get("clock") or "").strip().lower() in OTHERS_TIME


def tasks_in(workflow: BpmnWorkflow, state: int) -> Iterator[Task]:
    """Tasks of the workflow and its subprocesses whose state is in the ``state`` mask.

    A flat scan of the task dictionaries: SpiffWorkflow's ``get_tasks`` walks the tree depth-first with
    per-task filter objects, which costs more than the rest of a step's bookkeeping together.
    """
    for flow in (workflow, *workflow.subprocesses.values()):
        for task in flow.tasks.values():
            if task._state & state:
                yield task


def _fire_at(task: Task) -> datetime | None:
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):  # timeCycle keeps {'next': …}
        value = value.get("next")
    return TimerEventDefinition.get_datetime(value)


def _attached_task(timer: Task) -> Task | None:
    parent = timer.parent
    if parent is None or not (parent.task_spec.name or "").endswith(SPLIT_SUFFIX):
        return None
    attached_id = parent.task_spec.name[: -len(SPLIT_SUFFIX)]
    return next((c for c in parent.children if c.task_spec.bpmn_id == attached_id), None)


def armed_timers(workflow: BpmnWorkflow) -> list[ArmedTimer]:
    """Every WAITING timer event with its due moment and the step it guards (if a boundary timer)."""
    out = []
    for task in tasks_in(workflow, TaskState.WAITING):
        spec = task.task_spec
        if not isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            continue
        fire_at = _fire_at(task)
        if fire_at is None:
            continue
        attached = _attached_task(task) if isinstance(spec, BoundaryEvent) else None
        out.append(ArmedTimer(
            str(task.id), spec.bpmn_id or spec.name, spec.bpmn_name or spec.bpmn_id or "", fire_at,
            bool(getattr(spec, "cancel_activity", True)),
            str(attached.id) if attached else None,
            (attached.task_spec.bpmn_name or attached.task_spec.bpmn_id) if attached else None,
            not measures_others_time((getattr(spec, "extensions", None) or {}).get("properties") or {}),
        ))
    return out


def ready_steps(workflow: BpmnWorkflow, timers: list[ArmedTimer] | None = None) -> list[ReadyStep]:
    """READY human tasks, each with the earliest armed boundary timer as its due moment (the department's first)."""
    due: dict[str, tuple[bool, datetime]] = {}
    for timer in armed_timers(workflow) if timers is None else timers:
        if timer.attached_task_id:
            # The department's limits (False) sort before the others' time (True), whatever their moments.
            key = (not timer.alerts, timer.fire_at)
            prev = due.get(timer.attached_task_id)
            due[timer.attached_task_id] = min(prev, key) if prev else key
    out = []
    for task in tasks_in(workflow, TaskState.READY):
        spec = task.task_spec
        if not spec.manual:
            continue
        ext = dict(spec.extensions or {})
        others, due_at = due.get(str(task.id), (False, None))
        out.append(ReadyStep(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, spec.lane,
                             dict(ext.get("properties") or {}), ext, due_at, not others))
    return out


def form_of(extensions: Mapping[str, Any]) -> str | None:
    """The form a step names in its SpiffWorkflow extensions: ``formJsonSchemaFilename``, else ``formKey``."""
    properties = extensions.get("properties") or {}
    return properties.get("formJsonSchemaFilename") or extensions.get("formKey") or None


def timer_alerts(workflow: BpmnWorkflow, task_id: str) -> bool:
    """False when the timer task ``task_id`` measures the applicant's or a third party's time."""
    task = workflow.get_task_from_id(UUID(task_id)) if task_id else None
    extensions = getattr(task.task_spec, "extensions", None) if task is not None else None
    return not measures_others_time((extensions or {}).get("properties") or {})


def task_state(workflow: BpmnWorkflow, task_id: str) -> int | None:
    """The TaskState of a task id, or None when the workflow has no such task."""
    task = workflow.get_task_from_id(UUID(task_id)) if task_id else None
    return task.state if task is not None else None


def end_name(workflow: BpmnWorkflow) -> str | None:
    """Name of the end event the finished workflow reached (e.g. 准予许可, 视为撤回)."""
    ends = [t for t in tasks_in(workflow, TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
    if not ends:
        return None
    last = max(ends, key=lambda t: t.last_state_change)
    return last.task_spec.bpmn_name or last.task_spec.bpmn_id
