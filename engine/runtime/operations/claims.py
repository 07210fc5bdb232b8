"""签收 / 退签 / 转办 / 改派: who works an open step.

A claim is the step's ``open_tasks.assignee_id``. The index writes a step's row once, when the step opens, and
never rewrites a row while its step stays open, so the claim lasts until the step is worked (a step reopened by a
return is a new row: ``returns`` assigns it to whoever worked it before). Each change is an audit event in the case's
stream: ``task.claimed``, ``task.unclaimed``, ``task.handed_over``, ``task.reassigned``.

Two colleagues claiming the same step at once: both lock the case row (the runtime's lock order), the second reads
the step after the first committed and is told who has it (``claim.taken``); the update itself also requires the
step to be unclaimed, so no interleaving can give it to both.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused, optional_reason, required_reason
from engine.runtime.operations.locks import lock_step
from engine.runtime.runtime import Runtime
from engine.store import OpenTask, User


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return session.execute(select(User.display_name).where(User.id == user_id)).scalar() or ""


def claim(rt: Runtime, task_id: str, user: User) -> None:
    """签收: take an unassigned step of a post ``user`` holds; ``claim.taken`` when a colleague was first."""
    with rt.sessions() as session, session.begin():
        locked = lock_step(session, task_id)
        step = locked.step
        if step.assignee_id is not None:
            if step.assignee_id == user.id:
                return  # claimed already (a second click)
            raise OperationRefused("claim.taken", who=_name(session, step.assignee_id))
        if not policy.may_claim(session, user, step):
            raise OperationRefused("claim.not_post")
        done = session.execute(update(OpenTask).where(OpenTask.id == task_id, OpenTask.assignee_id.is_(None))
                               .values(assignee_id=user.id).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise OperationRefused("claim.taken", who="")
        audit.record(session, user.username, "task.claimed", case_id=locked.case_id, step=step.name,
                     payload={"task": task_id}, at=clock.now())


def release(rt: Runtime, task_id: str, user: User) -> None:
    """退签: give a claimed step back to its post's queue."""
    with rt.sessions() as session, session.begin():
        locked = lock_step(session, task_id)
        step = locked.step
        if not policy.may_release(user, step):
            raise OperationRefused("claim.not_yours")
        _assign(session, task_id, None)
        audit.record(session, user.username, "task.unclaimed", case_id=locked.case_id, step=step.name,
                     payload={"task": task_id}, at=clock.now())


def hand_over(rt: Runtime, task_id: str, user: User, to_user_id: int, reason: str | None = None) -> None:
    """转办: hand a step ``user`` may work to a colleague holding the same post (the reason is optional)."""
    text = optional_reason(reason)
    with rt.sessions() as session, session.begin():
        locked = lock_step(session, task_id)
        step = locked.step
        if not policy.may_hand_over(session, user, step):
            raise OperationRefused("claim.not_yours")
        if to_user_id == user.id:
            raise OperationRefused("handover.self", field="to_user")
        _check_colleague(session, step, to_user_id)
        _assign(session, task_id, to_user_id)
        audit.record(session, user.username, "task.handed_over", case_id=locked.case_id, step=step.name,
                     payload={"task": task_id, "from_user_id": step.assignee_id, "to_user_id": to_user_id,
                              "to": _name(session, to_user_id), "reason": text}, at=clock.now())


def reassign(rt: Runtime, task_id: str, user: User, to_user_id: int, reason: str | None) -> None:
    """改派: the department head gives any open step of the department to a holder of its post, with a reason."""
    text = required_reason(reason)
    with rt.sessions() as session, session.begin():
        locked = lock_step(session, task_id)
        step = locked.step
        if not policy.may_reassign(session, user, step):
            raise OperationRefused("reassign.not_head", post=policy.HEAD_POST)
        _check_colleague(session, step, to_user_id)
        _assign(session, task_id, to_user_id)
        audit.record(session, user.username, "task.reassigned", case_id=locked.case_id, step=step.name,
                     payload={"task": task_id, "from_user_id": step.assignee_id, "to_user_id": to_user_id,
                              "to": _name(session, to_user_id), "reason": text}, at=clock.now())


def _check_colleague(session: Session, step: OpenTask, to_user_id: int) -> None:
    target = session.get(User, to_user_id)
    if target is None or not target.active or not policy.holds_post(session, to_user_id, step.post_id):
        raise OperationRefused("handover.not_colleague", field="to_user",
                               who=target.display_name if target is not None else str(to_user_id))


def _assign(session: Session, task_id: str, user_id: int | None) -> None:
    session.execute(update(OpenTask).where(OpenTask.id == task_id).values(assignee_id=user_id)
                    .execution_options(synchronize_session=False))
