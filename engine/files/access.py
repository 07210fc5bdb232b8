"""Who may add files to a case, and who may read them.

Reading follows ``engine.access.may_see_case``: whoever sees the case sees its files (supervisors included).
Adding is narrower: the members of the case's department and whoever may work one of its open steps (a
cross-department review). A supervisor watches; they add no evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import may_see_case
from engine.identity import department_ids_of, post_ids_of
from engine.store import Case, OpenTask, User

__all__ = ["may_add_files", "may_add_files_as", "may_see_case"]


def may_add_files(session: Session, user: User, case: Case) -> bool:
    """Whether ``user`` may upload materials or evidence to ``case``."""
    if case.department_id in department_ids_of(session, user.id):
        return True
    posts = set(post_ids_of(session, user.id))
    steps = session.execute(select(OpenTask.assignee_id, OpenTask.post_id).where(OpenTask.case_id == case.id))
    return any(assignee == user.id if assignee is not None else post in posts for assignee, post in steps)


def may_add_files_as(user: User, case: Case, open_steps: Iterable[OpenTask]) -> bool:
    """``may_add_files`` answered from what a page has loaded: the user's memberships with their posts (as
    ``engine.web_sessions.resume`` loads them) and the case's open steps."""
    if any(m.post.department_id == case.department_id for m in user.memberships):
        return True
    posts = {m.post_id for m in user.memberships}
    return any(s.assignee_id == user.id if s.assignee_id is not None else s.post_id in posts for s in open_steps)
