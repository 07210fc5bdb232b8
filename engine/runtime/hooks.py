"""Platform reactions to steps: of its own processes (e.g. the catalog review publishes when it ends), and of
every process (supervision rules that read what a step recorded, e.g. P4).

Hooks run inside the step's transaction: a ``before`` hook may refuse the step with a RuntimeProblem, an
``after`` hook's changes commit or roll back together with the step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.store import Case, User


@dataclass(frozen=True)
class StepEvent:
    session: Session
    case: Case
    process_key: str
    bpmn_id: str
    values: dict[str, Any]
    user: User
    #: The step's task id and name (an alert about the step names it by them), and the name of its form.
    task_id: str
    step_name: str
    form: str | None = None


StepHook = Callable[[StepEvent], None]


@dataclass(frozen=True)
class ReturnEvent:
    """A 退回 just saved (``engine/runtime/operations/returns.py``), as its ``case.returned`` event records it."""

    session: Session
    case: Case
    user: User
    #: The step returned from (its task id and name) and the earlier step reopened (its task id, BPMN id, name).
    from_task: str
    from_name: str
    to_task: str
    to_bpmn_id: str
    to_name: str
    reason: str
    #: True when no arrow of the flowchart leads from the step back to the earlier one (rule P1).
    irregular: bool


ReturnHook = Callable[[ReturnEvent], None]


class Hooks:
    """Hooks keyed by (process key, BPMN id of the user task), and ``after`` hooks for every step."""

    def __init__(self) -> None:
        self._before: dict[tuple[str, str], list[StepHook]] = defaultdict(list)
        self._after: dict[tuple[str, str], list[StepHook]] = defaultdict(list)
        self._after_any: list[StepHook] = []
        self._after_return: list[ReturnHook] = []

    def before(self, process_key: str, bpmn_id: str, hook: StepHook) -> None:
        self._before[(process_key, bpmn_id)].append(hook)

    def after(self, process_key: str, bpmn_id: str, hook: StepHook) -> None:
        self._after[(process_key, bpmn_id)].append(hook)

    def after_any(self, hook: StepHook) -> None:
        """Run ``hook`` after every completed step of every process; it must return at once for most steps."""
        self._after_any.append(hook)

    def after_return(self, hook: ReturnHook) -> None:
        """Run ``hook`` after every 退回, in its transaction once the return is saved."""
        self._after_return.append(hook)

    def run_after_return(self, event: ReturnEvent) -> None:
        for hook in self._after_return:
            hook(event)

    def run_before(self, event: StepEvent) -> None:
        for hook in self._before.get((event.process_key, event.bpmn_id), []):
            hook(event)

    def run_after(self, event: StepEvent) -> None:
        for hook in self._after.get((event.process_key, event.bpmn_id), []):
            hook(event)
        # After the step's own reactions, so a rule sees what they changed.
        for hook in self._after_any:
            hook(event)
