"""What a member of staff sees: open steps of the posts they hold, overdue first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.identity import post_ids_of
from engine.store import Case, OpenTask, Post, Power


@dataclass(frozen=True)
class InboxRow:
    task_id: str
    step: str
    post: str | None
    case_id: int
    serial: str
    subject: str
    applicant: str
    power: str
    created_at: datetime
    due_at: datetime | None
    alert_level: int

    def status(self, now: datetime) -> str:
        """``red`` overdue, ``yellow`` within the warning window, ``green`` otherwise."""
        if self.due_at and now >= self.due_at:
            return "red"
        return "yellow" if self.alert_level >= 1 else "green"


def _visible(user_id: int, post_ids: list[int]):  # type: ignore[no-untyped-def]
    return or_(OpenTask.assignee_id == user_id,
               and_(OpenTask.assignee_id.is_(None), OpenTask.post_id.in_(post_ids or [-1])))


def inbox(session: Session, user_id: int, *, due_before: datetime | None = None, post_id: int | None = None,
          limit: int = 200) -> list[InboxRow]:
    """Open steps the user may work, earliest deadline first; steps without a limit last."""
    post_ids = post_ids_of(session, user_id)
    query = (
        select(OpenTask, Case, Power, Post.name)
        .join(Case, Case.id == OpenTask.case_id).join(Power, Power.id == Case.power_id)
        .outerjoin(Post, Post.id == OpenTask.post_id)
        .where(_visible(user_id, post_ids))
        .order_by(OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at).limit(limit)
    )
    if due_before is not None:
        query = query.where(OpenTask.due_at <= due_before)
    if post_id is not None:
        query = query.where(OpenTask.post_id == post_id)
    return [
        InboxRow(t.id, t.name, post, c.id, c.serial, c.subject, c.applicant_name, p.name, t.created_at, t.due_at,
                 t.alert_level)
        for t, c, p, post in session.execute(query)
    ]


def counts_by_post(session: Session, user_id: int) -> list[tuple[int, str, str, int]]:
    """(post id, post name, department name, open steps) for each post the user holds."""
    from engine.store import Department

    post_ids = post_ids_of(session, user_id)
    rows = session.execute(
        select(Post.id, Post.name, Department.name, func.count(OpenTask.id))
        .join(Department, Department.id == Post.department_id)
        .outerjoin(OpenTask, and_(OpenTask.post_id == Post.id, OpenTask.assignee_id.is_(None)))
        .where(Post.id.in_(post_ids or [-1])).group_by(Post.id, Post.name, Department.name).order_by(Post.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
