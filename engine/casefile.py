"""Everything shown about one case: its record, open steps, history, alerts and audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from engine.runtime.applicant import carries_applicant
from engine.store import Alert, AuditEvent, Case, OpenTask, ProcessVersion, StepRecord
from engine.timeline import Entry, build

#: The audit action of a step that corrected the case's applicant (shown with that step in the history).
CORRECTED = "case.applicant_corrected"


@dataclass
class CaseFile:
    case: Case
    open_steps: list[OpenTask]
    history: list[StepRecord]
    alerts: list[Alert]
    events: list[AuditEvent]

    @property
    def timeline(self) -> list[Entry]:
        """Steps, operations, files, documents and alerts in one list, newest last (``engine/timeline.py``)."""
        return build(self.history, self.events, self.alerts)

    @property
    def paused_steps(self) -> list[str]:
        """BPMN ids of the open steps while the case's clock stands still (暂停, 补正 …); none while it runs."""
        if self.case.clock_paused_at is None:
            return []
        return [t.bpmn_id for t in self.open_steps]


def case_file(session: Session, case_id: int) -> CaseFile | None:
    """The case with everything that happened to it, oldest first."""
    case = session.execute(
        select(Case).options(joinedload(Case.power), joinedload(Case.process_version)).where(Case.id == case_id)
    ).scalar_one_or_none()
    if case is None:
        return None
    return CaseFile(
        case,
        list(session.execute(select(OpenTask).where(OpenTask.case_id == case_id)
                             .order_by(OpenTask.created_at)).scalars()),
        list(session.execute(select(StepRecord).where(StepRecord.case_id == case_id)
                             .order_by(StepRecord.id)).scalars()),
        list(session.execute(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)).scalars()),
        list(session.execute(select(AuditEvent).where(AuditEvent.case_id == case_id)
                             .order_by(AuditEvent.id)).scalars()),
    )


@dataclass
class StepFile:
    """What the page of an open step shows of its case: the step, the case's record, its history and the audit
    events the history shows (the corrections of the applicant)."""

    step: OpenTask
    case: Case
    history: list[StepRecord]
    events: list[AuditEvent]


#: The step with its case, the case's power and flowchart version, in one read. The version's BPMN is read only if
#: this process has not parsed it yet (the page needs the parsed spec, never the text).
_STEP_AND_CASE = (select(OpenTask, Case).join(Case, Case.id == OpenTask.case_id)
                  .options(joinedload(Case.power), joinedload(Case.process_version).defer(ProcessVersion.bpmn_xml))
                  .where(OpenTask.id == bindparam("task_id")))


def step_file(session: Session, task_id: str) -> StepFile | None:
    """The open step ``task_id`` and what its page shows of the case, in two reads (three once a finished step of the
    case carried the applicant's fields); None once the step is not open."""
    found = session.execute(_STEP_AND_CASE, {"task_id": task_id}).first()
    if found is None:
        return None
    step, case = found
    history = list(session.execute(select(StepRecord).where(StepRecord.case_id == case.id)
                                   .order_by(StepRecord.id)).scalars())
    # A step corrects the applicant only with values that name an applicant field, and its record keeps them.
    corrections = list(session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == CORRECTED)
        .order_by(AuditEvent.id)).scalars()) if any(carries_applicant(h.data or {}) for h in history) else []
    return StepFile(step, case, history, corrections)
