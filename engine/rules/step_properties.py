"""The ``spiffworkflow:properties`` of each user task of a deployed flowchart version, worked out once per version:
rules that a flowchart switches on per step (P2 ``requiresMaterials``, P8 ``expectsDocument``) decide from a
dictionary lookup whether a completed step concerns them, sending no statement for one that does not."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.store import ProcessVersion

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

#: BPMN id of a user task → its properties (name → value, as written in the flowchart).
Properties = Mapping[str, Mapping[str, str]]


def properties_of_spec(specs: list[Any]) -> dict[str, dict[str, str]]:
    """The properties of the user tasks of a parsed process spec and its subprocess specs (tasks without any are
    left out)."""
    found: dict[str, dict[str, str]] = {}
    for spec in specs:
        for ts in spec.task_specs.values():
            if not getattr(ts, "manual", False) or not getattr(ts, "bpmn_id", None):
                continue
            properties = (getattr(ts, "extensions", None) or {}).get("properties") or {}
            if properties:
                found[ts.bpmn_id] = {str(k): str(v) for k, v in properties.items()}
    return found


class StepPropertiesCache:
    """Per runtime: process version id → the properties of its user tasks."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._found: dict[int, Properties] = {}
        self._lock = threading.Lock()

    def __call__(self, session: Session, version_id: int) -> Properties:
        found = self._found.get(version_id)
        if found is None:
            parsed = self._rt.codec.parsed_id(version_id, lambda: session.get_one(ProcessVersion, version_id))
            found = properties_of_spec([parsed.spec, *parsed.subprocess_specs.values()])
            with self._lock:
                self._found[version_id] = found
        return found


def switched_on(value: str | None) -> bool:
    """Whether a property's value says yes."""
    return str(value or "").strip().lower() in {"true", "1", "yes", "是"}
