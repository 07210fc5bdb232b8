"""Lock a case for an operation that does not touch its workflow (claims, drafts): its row, then its step.

Lock order is the runtime's (case row → its index rows → audit stream), so operations and steps never deadlock.
Only the row's id and status are read (not its workflow). The step's row is read after the lock, so what another
transaction committed meanwhile (a colleague's claim) is seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.errors import RuntimeProblem
from engine.runtime.operations.errors import OperationRefused
from engine.store import Case, OpenTask

_CASES = Case.__table__.c


@dataclass(frozen=True)
class LockedStep:
    case_id: int
    step: OpenTask


def lock_step(session: Session, task_id: str) -> LockedStep:
    """Lock the case of open step ``task_id`` (``task.not_found`` when it is not open) and read the step afresh;
    ``op.not_running`` when the case has ended."""
    case_id = session.execute(select(OpenTask.case_id).where(OpenTask.id == task_id)).scalar()
    if case_id is None:
        raise RuntimeProblem("task.not_found")
    status = session.execute(select(_CASES.status).where(_CASES.id == case_id)
                             .with_for_update(key_share=True)).scalar_one()
    step = session.execute(select(OpenTask).where(OpenTask.id == task_id)
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if step is None:  # worked while we waited for the lock
        raise RuntimeProblem("task.not_found")
    if status != "running":
        raise OperationRefused("op.not_running")
    return LockedStep(case_id, step)
