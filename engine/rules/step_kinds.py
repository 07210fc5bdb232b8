"""Which steps of a deployed flowchart version a step rule concerns, known without a statement per step.

A deployed version never changes, so what its user tasks are (decision steps, 补正 steps, the steps an arrow leads
from into a 补正 step) is worked out once per runtime and version from its parsed spec (the codec's cache) and kept.
A rule's hook then pays a dictionary lookup for a step it does not concern.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.files.lock import is_decision
from engine.runtime.case_clock import pauses_clock
from engine.runtime.operations.returns import modelled_next
from engine.store import ProcessVersion

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

_YES = {"true", "1", "yes", "是"}


def is_supplement(bpmn_id: str, name: str, properties: Mapping[str, Any]) -> bool:
    """A 补正 step: the property ``supplement = true``, or a step that stops the case's clock (``clock = paused``)
    named 补正 or with an id saying ``supplement`` (the demo flowcharts' 接收补正材料). 听证 stops the clock too,
    and is not one."""
    if str(properties.get("supplement", "")).strip().lower() in _YES:
        return True
    return pauses_clock(properties) and ("补正" in name or "supplement" in bpmn_id.lower())


@dataclass(frozen=True)
class StepKinds:
    """The BPMN ids of a version's user tasks of each kind."""

    decisions: frozenset[str]
    supplements: frozenset[str]
    #: User tasks from which an arrow leads (through gateways) into a 补正 step: completing one may open it.
    into_supplement: frozenset[str]


def kinds_of_spec(specs: list[Any]) -> StepKinds:
    """The kinds of the user tasks of a parsed process spec and its subprocess specs."""
    tasks = [ts for spec in specs for ts in spec.task_specs.values()
             if getattr(ts, "manual", False) and getattr(ts, "bpmn_id", None)]
    decisions, supplements = set(), set()
    for ts in tasks:
        extensions = getattr(ts, "extensions", None) or {}
        properties = extensions.get("properties") or {}
        if is_decision(extensions):
            decisions.add(ts.bpmn_id)
        if is_supplement(ts.bpmn_id, ts.bpmn_name or "", properties):
            supplements.add(ts.bpmn_id)
    into = {ts.bpmn_id for ts in tasks if modelled_next(ts) & supplements} if supplements else set()
    return StepKinds(frozenset(decisions), frozenset(supplements), frozenset(into))


class StepKindsCache:
    """Per runtime: process version id → its ``StepKinds``."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._found: dict[int, StepKinds] = {}
        self._lock = threading.Lock()

    def __call__(self, session: Session, version_id: int) -> StepKinds:
        found = self._found.get(version_id)
        if found is None:
            parsed = self._rt.codec.parsed_id(version_id, lambda: session.get_one(ProcessVersion, version_id))
            found = kinds_of_spec([parsed.spec, *parsed.subprocess_specs.values()])
            with self._lock:
                self._found[version_id] = found
        return found
