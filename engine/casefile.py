"""Everything shown about one case: its record, open steps, history, alerts and audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.store import Alert, AuditEvent, Case, OpenTask, StepRecord


@dataclass
class CaseFile:
    case: Case
    open_steps: list[OpenTask]
    history: list[StepRecord]
    alerts: list[Alert]
    events: list[AuditEvent]


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
