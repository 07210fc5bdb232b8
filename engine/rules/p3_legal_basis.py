"""P3 — a decision recorded without its legal basis (法律依据; seed 003 第十条(二)6, DESIGN §4.7).

A decision step (property ``decision``) must state the law it rests on. After a decision step completes, its values
must hold a non-empty ``legal_basis`` (the demo decision forms' 法律依据 / 处罚（处理）依据 field), ``basis`` or
``法律依据``; without one the rule raises a red alert on the step. The demo forms require the field, so it fires for a
flowchart whose decision step has no form, or a form that leaves the field out or optional. The step is never
refused. The platform's own processes (the catalog review, power status ``internal``) decide on an adjustment
request, not under a law, and are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.alerts import raise_alert
from engine.rules.step_kinds import StepKindsCache
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, Power

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

RULE_ID = "P3"
SOURCE = "seed 003 第十条(二)6"
#: The names a step's legal basis field may have.
FIELDS = ("legal_basis", "basis", "法律依据")


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, dict)):
        return any(_filled(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None and not isinstance(value, bool)


def has_legal_basis(values: Mapping[str, Any]) -> bool:
    """Whether a step's values state a legal basis."""
    return any(_filled(values.get(name)) for name in FIELDS)


def check_step(event: StepEvent, decisions: frozenset[str]) -> Alert | None:
    """Raise the red P3 alert for a completed decision step (``event.bpmn_id`` in ``decisions``) without a legal
    basis; the alert, or None."""
    if event.bpmn_id not in decisions or has_legal_basis(event.values):
        return None
    session = event.session
    if session.execute(select(Power.status).where(Power.id == event.case.power_id)).scalar() == "internal":
        return None
    details = {"by": event.user.username, "fields": list(FIELDS[:1])}
    return raise_alert(session, event.case, subject=event.task_id, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=details, actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs: a dictionary lookup for any step but a decision."""
    kinds = StepKindsCache(rt)

    def after_step(event: StepEvent) -> None:
        check_step(event, kinds(event.session, event.case.process_version_id).decisions)

    return after_step
