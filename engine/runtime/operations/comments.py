"""Comments on a case for its handlers (append-only): one row and one ``case.commented`` audit event each."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused
from engine.runtime.runtime import Runtime
from engine.store import User
from engine.store.operations import CaseComment

LIMIT = 2000


def add_comment(rt: Runtime, case_id: int, user: User, body: str | None) -> CaseComment:
    """Append ``user``'s comment to case ``case_id`` (whoever may see the case may comment)."""
    text = (body or "").strip()
    if not text:
        raise OperationRefused("comment.empty", field="body")
    if len(text) > LIMIT:
        raise OperationRefused("op.reason_too_long", field="body", limit=LIMIT)
    with rt.sessions() as session, session.begin():
        if not policy.may_comment(session, user, case_id):
            raise OperationRefused("op.not_allowed")
        now = clock.now()
        row = CaseComment(case_id=case_id, author=user.username, body=text, at=now)
        session.add(row)
        session.flush()
        audit.record(session, user.username, "case.commented", case_id=case_id,
                     payload={"comment_id": row.id, "text": text}, at=now)
        return row


def comments_of(session: Session, case_id: int) -> list[CaseComment]:
    return list(session.execute(select(CaseComment).where(CaseComment.case_id == case_id)
                                .order_by(CaseComment.id)).scalars())
