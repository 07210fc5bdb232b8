"""Who may do what in an alert's life and a 督办.

* **Supervisors** (role ``supervisor``, or ``admin``) start an alert's life by hand, issue directives, and grant or
  refuse an extension. Their steps of the life (审核说明, 整改核查) are the post ``电子监察`` of the supervision office,
  which the platform gives them (``alert_life.enlist``); the runtime checks the post as for any step.
* **The department's staff** — anyone holding a post of the responsible department — see its directives and may ask
  for the one extension. The department's steps (情况说明, 整改, 上报) go to its head post ``负责人``
  (``engine.runtime.operations.policy.HEAD_POST``), who may hand them to colleagues as any step.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.store import Membership, Post, User

SUPERVISES = ("supervisor", "admin")


def may_supervise(user: User, session: Session | None = None) -> bool:
    """Whether ``user`` supervises; with ``session``, as the database says now (the user may be detached)."""
    if session is not None:
        user = session.get_one(User, user.id)
    return user.has_role(*SUPERVISES)


def is_staff_of(session: Session, user: User, department_id: int) -> bool:
    """Whether ``user`` holds a post of department ``department_id``."""
    return session.execute(select(exists().where(
        Membership.user_id == user.id, Membership.post_id == Post.id, Post.department_id == department_id))
    ).scalar() is True


def may_see_directive(session: Session, user: User, department_id: int) -> bool:
    return may_supervise(user) or is_staff_of(session, user, department_id)


def may_ask_extension(session: Session, user: User, department_id: int) -> bool:
    return is_staff_of(session, user, department_id)
