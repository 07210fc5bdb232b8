"""P8 — a case that reached acceptance, refusal or a decision without its document (seed 004 第十一条(三): 受理承诺单,
缺件告知单, 不予受理通知单, 不予许可决定书).

A flowchart switches the rule on per step with the property ``expectsDocument``:

- ``true``: the step's outcome says which document it owes, by its form's value (``OUTCOMES``): 受理 that accepts
  owes a 受理通知书, one that asks for 补正 a 补正材料通知书, one that refuses a 不予受理通知书; 审核 or 批准 that
  refuses a licence a 不予行政许可决定书; 作出决定 that penalizes a 行政处罚决定书.
- a list of document kinds (``engine/documents/kinds.py``), as ``requiresDocument`` writes them
  (``acceptance|non_acceptance``: one of them; ``a,b``: both): the step owes those whatever it decides.

Unlike ``requiresDocument``, which refuses the step until the document exists, P8 lets the step complete and raises
a red alert on it (subject: its task id) when no document of the kind owed was issued at the step or since it
opened. A step without the property costs a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from engine.alerts import raise_alert
from engine.documents.kinds import KINDS
from engine.documents.requirement import PROPERTY as REQUIRES
from engine.documents.requirement import required
from engine.rules.step_properties import StepPropertiesCache, switched_on
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, StepRecord
from engine.store.documents import Document

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

RULE_ID = "P8"
SOURCE = "seed 004 第十一条(三)"
PROPERTY = "expectsDocument"
#: Form field → its value → the document kinds (one of them) that outcome owes.
OUTCOMES: dict[str, dict[str, list[str]]] = {
    "accept_result": {"accept": ["acceptance"], "supplement": ["supplement"], "reject": ["non_acceptance"]},
    "approve_result": {"refuse": ["licence_refusal"]},
    "review_result": {"refuse": ["licence_refusal"]},
    "decision_result": {"penalize": ["penalty_decision"]},
}


def owed(setting: str, values: Mapping[str, Any]) -> list[list[str]]:
    """The documents a step owes (groups of alternatives) for its property's ``setting`` and its ``values``."""
    if switched_on(setting):
        return [OUTCOMES[field][str(values[field])] for field in OUTCOMES
                if str(values.get(field)) in OUTCOMES[field]]
    return required({REQUIRES: setting})


def issued_kinds(event: StepEvent) -> set[str]:
    """The kinds of document issued for the case at the step or since it opened."""
    opened = (select(func.max(StepRecord.started_at))
              .where(StepRecord.case_id == event.case.id, StepRecord.task_id == event.task_id).scalar_subquery())
    return set(event.session.execute(select(Document.kind).where(
        Document.case_id == event.case.id,
        or_(Document.task_id == event.task_id, Document.issued_at >= opened))).scalars())


def _titles(groups: list[list[str]], lang: str) -> str:
    if lang == "en":
        return " and ".join(" or ".join(f"a {KINDS[k].english}" if k in KINDS else k for k in g) for g in groups)
    return "、".join("或".join(f"《{KINDS[k].title}》" if k in KINDS else k for k in g) for g in groups)


def check_step(event: StepEvent, properties: Mapping[str, str] | None) -> Alert | None:
    """Raise the red P8 alert when the completed step owes a document none was issued for."""
    setting = (properties or {}).get(PROPERTY)
    if not setting:
        return None
    groups = owed(setting, event.values)
    if not groups:
        return None
    issued = issued_kinds(event)
    missing = [g for g in groups if not issued & set(g)]
    if not missing:
        return None
    details = {"kinds": missing, "titles": _titles(missing, "zh"), "titles_en": _titles(missing, "en"),
               "by": event.user.username}
    return raise_alert(event.session, event.case, subject=event.task_id, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=details, actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs: a dictionary lookup for a step without ``expectsDocument``."""
    steps = StepPropertiesCache(rt)

    def after_step(event: StepEvent) -> None:
        check_step(event, steps(event.session, event.case.process_version_id).get(event.bpmn_id))

    return after_step
