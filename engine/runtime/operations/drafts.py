"""暂存: a step form saved as it stands, unchecked, by one user, to come back to (the page opens with it).

Insert-only: each save is a new ``step_drafts`` row, the newest per user and step is the draft; a draft of a step no
longer open is simply never read again. No audit event: a draft changes nothing of the case and is nobody's record
(the submission is).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.data_size import fits, readable
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused
from engine.runtime.operations.locks import lock_step
from engine.runtime.runtime import Runtime
from engine.store import User
from engine.store.operations import StepDraft


def save_draft(rt: Runtime, task_id: str, user: User, values: dict[str, Any]) -> None:
    """Keep ``values`` (the form's fields as typed) as ``user``'s draft of open step ``task_id``."""
    data = {str(k): str(v) for k, v in values.items()}
    if not fits(data, rt.settings.max_step_data):
        raise OperationRefused("draft.too_large", limit=readable(rt.settings.max_step_data))
    with rt.sessions() as session, session.begin():
        locked = lock_step(session, task_id)
        if not policy.may_work_step(session, user, locked.step):
            raise OperationRefused("op.not_allowed")
        session.add(StepDraft(task_id=task_id, case_id=locked.case_id, user_id=user.id, data=data,
                              saved_at=clock.now()))


def draft_of(session: Session, task_id: str, user_id: int, since: datetime) -> StepDraft | None:
    """``user_id``'s newest draft of step ``task_id`` saved since ``since`` (when the step opened: a step reopened by a
    return keeps its id, and a draft of its earlier round is no longer what the user was writing)."""
    return session.execute(select(StepDraft).where(StepDraft.task_id == task_id, StepDraft.user_id == user_id,
                                                   StepDraft.saved_at >= since)
                           .order_by(StepDraft.id.desc()).limit(1)).scalar_one_or_none()
