"""Workflow JSON without the spec: each deployed version's spec is parsed once and kept in memory.

SpiffWorkflow embeds the whole spec in every serialised workflow (about half its size, and most of the
load time, brief §4/§8). The case row already knows its process version, so we drop the spec on save and
hand the cached one back on load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parser import SERIALIZER_CONFIG, load_process
from engine.store import ProcessVersion


@dataclass(frozen=True)
class ParsedVersion:
    version_id: int
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]


_restoring: ContextVar[ParsedVersion] = ContextVar("_restoring")


class _SpecByReference(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        parsed = _restoring.get()
        workflow = self.target_class(parsed.spec, parsed.subprocess_specs, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# A finished task (completed or cancelled) under a finished parent no longer changes: its data, its delta
# against the parent's data and its internal data are final. Only a rewind (a new state and state-change
# time) or a change of children alters its dictionary, so that is what the cached copy is checked against.
_FINAL = TaskState.COMPLETED | TaskState.CANCELLED
_CACHED = "_sunshine_saved"


class _FinishedTasksOnce(TaskConverter):
    """SpiffWorkflow's task converter, remembering the dictionary of tasks that can no longer change.

    A workflow is saved after every step, and most of its tasks are long finished by then; converting them
    again (data deltas against their parents included) was most of the serialiser's time. A restored task
    starts with the dictionary it was restored from: that is what converting it would give (its parent, being
    finished too, restores to the data the delta was taken against), so a step on a workflow restored from the
    database saves as cheaply as one on a workflow kept in memory.
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        if not _final(task):
            return super().to_dict(task)
        key = (task.state, task.last_state_change, tuple(task._children))
        saved = getattr(task, _CACHED, None)
        if saved is not None and saved[0] == key:
            return saved[1]
        dct = super().to_dict(task)
        setattr(task, _CACHED, (key, dct))
        return dct

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task = super().from_dict(dct, workflow)
        # The root's dictionary holds its whole data rather than a delta; it is converted as before.
        if task._parent is not None and _final(task):
            setattr(task, _CACHED, ((task.state, task.last_state_change, tuple(task._children)), dct))
        return task


def _final(task: Task) -> bool:
    parent = task.parent
    return bool(task.state & _FINAL and (parent is None or parent.state & _FINAL))


#: Parsed versions kept per process. Versions accumulate over the years (every power, every change of its chart), and
#: a worker may meet any of them; the least recently used are parsed again when needed (tens of milliseconds).
KEEP_PARSED = 256


class WorkflowCodec:
    """Parses versions once per process (the most recently used ``keep_parsed``) and (de)serialises workflows
    against them."""

    def __init__(self, *, remember_finished: bool = True, keep_parsed: int = KEEP_PARSED) -> None:
        self._parsed: OrderedDict[int, ParsedVersion] = OrderedDict()
        self._keep = keep_parsed
        self._lock = threading.Lock()
        config: dict[Any, Any] = {**SERIALIZER_CONFIG, BpmnWorkflow: _SpecByReference}
        if remember_finished:
            config[Task] = _FinishedTasksOnce
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))

    def parsed(self, version: ProcessVersion) -> ParsedVersion:
        """The parsed spec of a deployed version (versions are immutable, so caching is safe)."""
        return self.parsed_id(version.id, lambda: version)

    def parsed_id(self, version_id: int, load: Callable[[], ProcessVersion]) -> ParsedVersion:
        """Like ``parsed`` when only the id is at hand; ``load`` fetches the version if it is not parsed yet."""
        with self._lock:
            found = self._parsed.get(version_id)
            if found is not None:
                self._parsed.move_to_end(version_id)
                return found
        version = load()
        loaded = load_process(version.bpmn_xml.encode(), version.filename)
        found = ParsedVersion(version.id, loaded.process_id, loaded.spec, loaded.subprocess_specs)
        with self._lock:
            self._parsed[version_id] = found
            while len(self._parsed) > self._keep:
                self._parsed.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._parsed)

    def new_workflow(self, version: ProcessVersion | ParsedVersion) -> BpmnWorkflow:
        parsed = version if isinstance(version, ParsedVersion) else self.parsed(version)
        return BpmnWorkflow(parsed.spec, parsed.subprocess_specs)

    def dumps(self, workflow: BpmnWorkflow) -> str:
        return self._serializer.serialize_json(workflow)

    def loads(self, blob: str, version: ProcessVersion | ParsedVersion) -> BpmnWorkflow:
        """The workflow saved as ``blob``, on ``version``'s spec (a ``ParsedVersion`` when it is at hand)."""
        token = _restoring.set(version if isinstance(version, ParsedVersion) else self.parsed(version))
        try:
            return self._serializer.deserialize_json(blob)
        finally:
            _restoring.reset(token)
