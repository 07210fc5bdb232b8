"""Who may see a case: its file holds the applicant's ID number and telephone, so not every member of staff.

Supervisors (and administrators) see every case; staff see the cases of the departments in which they hold a
post, and any case whose step is waiting for them or was worked by them (a cross-department review, say).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from engine.identity import departments_of
from engine.store import Case, Membership, OpenTask, StepRecord, User

SEES_ALL = ("supervisor", "admin")


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` admitting exactly the cases ``user`` may see."""
    if user.has_role(*SEES_ALL):
        return true()
    tasks = OpenTask.__table__.c
    posts = select(Membership.post_id).where(Membership.user_id == user.id)
    return or_(
        Case.department_id.in_(departments_of(user.id)),
        exists().where(tasks.case_id == Case.id, or_(tasks.post_id.in_(posts), tasks.assignee_id == user.id)),
        exists().where(StepRecord.case_id == Case.id, StepRecord.actor == user.username),
    )


def may_see_case(session: Session, user: User, case_id: int) -> bool:
    """Whether ``user`` may open case ``case_id`` (False for a case that does not exist)."""
    query = select(Case.id).where(Case.id == case_id, visible_cases(user))
    return session.execute(query).first() is not None
