"""Who may do which case operation (beside ``engine.access``, which says who sees a case and works a step).

* **claim** (签收) an unassigned step of a post one holds; **release** (退签) or **hand over** (转办) a step one has
  claimed (or an unassigned one of one's post) to a colleague holding the same post;
* **reassign** (改派) any open step of the department to a holder of its post: the department head, a holder of the
  department's post named ``HEAD_POST`` (负责人; in the demo 赵批准 of 市场监管局);
* **return** (退回) the step one may work (or, for the head, any open step of the department) to an earlier step;
* **pause / resume / withdraw / terminate / merge** a case: whoever may work one of its open steps, or the head of its
  department;
* **comment**: whoever may see the case.

Each question reads the database inside the operation's transaction, so a post taken away a moment ago counts.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.access import may_see_case
from engine.store import Case, Membership, OpenTask, Post, User

#: The post that makes its holders the department's head (负责人), who may reassign steps and act on any case of the
#: department.
HEAD_POST = "负责人"


def holds_post(session: Session, user_id: int, post_id: int | None) -> bool:
    """Whether user ``user_id`` holds post ``post_id``."""
    if post_id is None:
        return False
    return session.execute(select(exists().where(Membership.user_id == user_id,
                                                 Membership.post_id == post_id))).scalar() is True


def is_head(session: Session, user_id: int, department_id: int) -> bool:
    """Whether user ``user_id`` holds the ``HEAD_POST`` of department ``department_id``."""
    return session.execute(select(exists().where(
        Membership.user_id == user_id, Membership.post_id == Post.id, Post.department_id == department_id,
        Post.name == HEAD_POST))).scalar() is True


def may_work_step(session: Session, user: User, step: OpenTask) -> bool:
    """Whether ``user`` may work ``step`` as its row stands: assigned to them, or unassigned in a post they hold."""
    if step.assignee_id is not None:
        return step.assignee_id == user.id
    return holds_post(session, user.id, step.post_id)


def may_claim(session: Session, user: User, step: OpenTask) -> bool:
    return step.assignee_id is None and holds_post(session, user.id, step.post_id)


def may_release(user: User, step: OpenTask) -> bool:
    return step.assignee_id == user.id


def may_hand_over(session: Session, user: User, step: OpenTask) -> bool:
    return may_work_step(session, user, step)


def may_reassign(session: Session, user: User, step: OpenTask) -> bool:
    return is_head(session, user.id, step.department_id)


def may_return(session: Session, user: User, step: OpenTask) -> bool:
    return may_work_step(session, user, step) or is_head(session, user.id, step.department_id)


def may_act_on_case(session: Session, user: User, case: Case) -> bool:
    """Pause, resume, withdraw, terminate, merge: a handler of one of its open steps, or the department's head."""
    if is_head(session, user.id, case.department_id):
        return True
    steps = session.execute(select(OpenTask).where(OpenTask.case_id == case.id)).scalars()
    return any(may_work_step(session, user, step) for step in steps)


def may_comment(session: Session, user: User, case_id: int) -> bool:
    # The user as this session reads them (their roles decide what they see).
    return may_see_case(session, session.get_one(User, user.id), case_id)


def colleagues(session: Session, step: OpenTask, but: int | None = None) -> list[User]:
    """The active holders of ``step``'s post (those it may be handed over or reassigned to), by name."""
    if step.post_id is None:
        return []
    query = (select(User).join(Membership, Membership.user_id == User.id)
             .where(Membership.post_id == step.post_id, User.active.is_(True)).order_by(User.username))
    return [u for u in session.execute(query).scalars() if u.id != but]
