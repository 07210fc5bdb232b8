"""Evidence and decisions (DESIGN §4.7, supervision rule P2): a decision step needs evidence, and once it is done the
evidence it rested on is locked.

A decision step is a user task with the property ``decision`` (``spiffworkflow:property name="decision"
value="true"``). Before one completes, the case must hold at least one file, a material or evidence (of any step,
this one included): the record the decision rests on. After one completes, the case's materials and the evidence
of its completed steps can no longer be added to or replaced; steps still open (办结, 送达…) keep taking evidence.
The platform's own processes (the catalog review, power status ``internal``) decide on an adjustment request, not
on files, and need none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.files.errors import FileProblem
from engine.store import Case, Power, ProcessVersion, StepRecord
from engine.store.files import Attachment

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

_YES = {"true", "1", "yes", "是"}


def is_decision(extensions: Mapping[str, Any] | None) -> bool:
    """Whether a task spec's SpiffWorkflow extensions mark it a decision step."""
    properties = (extensions or {}).get("properties") or {}
    return str(properties.get("decision", "")).strip().lower() in _YES


def decision_ids(rt: Runtime, session: Session, process_version_id: int) -> frozenset[str]:
    """The flowchart ids of the decision steps of a deployed flowchart version (its parsed spec is cached)."""
    parsed = rt.codec.parsed_id(process_version_id, lambda: session.get_one(ProcessVersion, process_version_id))
    specs = [parsed.spec, *parsed.subprocess_specs.values()]
    return frozenset(ts.bpmn_id for spec in specs for ts in spec.task_specs.values()
                     if getattr(ts, "bpmn_id", None) and is_decision(getattr(ts, "extensions", None)))


def decided(rt: Runtime, session: Session, case: Case, history: Sequence[StepRecord] | None = None
            ) -> StepRecord | None:
    """The case's first completed decision step, if one has completed; from ``history`` (the case's step records,
    oldest first) when the caller has read it already."""
    ids = decision_ids(rt, session, case.process_version_id)
    if not ids:
        return None
    if history is not None:
        return next((h for h in history if h.bpmn_id in ids), None)
    return session.execute(select(StepRecord).where(StepRecord.case_id == case.id, StepRecord.bpmn_id.in_(ids))
                           .order_by(StepRecord.id).limit(1)).scalar()


def missing_evidence(session: Session, case: Case, extensions: Mapping[str, Any] | None, step_name: str,
                     lang: str = "zh") -> FileProblem | None:
    """Why the step (its task spec's ``extensions``) may not complete yet: a decision step of a case holding no
    file. A field message (``evidence``) in ``lang``; None when it may."""
    if not is_decision(extensions):
        return None
    if session.execute(select(Power.status).where(Power.id == case.power_id)).scalar() == "internal":
        return None
    if session.execute(select(exists().where(Attachment.case_id == case.id))).scalar():
        return None
    problem = FileProblem("decision.no_evidence", step=step_name)
    problem.fields = {"evidence": problem.message(lang)}
    return problem
