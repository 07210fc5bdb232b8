"""Which post names a department's flowcharts may use as lanes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store import Post


def shared_posts(session: Session) -> set[str]:
    """Post names that exist in exactly one department (e.g. 法制办's 合法性审查): usable from any flowchart."""
    rows = session.execute(select(Post.name).group_by(Post.name).having(func.count(Post.id) == 1)).scalars()
    return set(rows)


def posts_for_lanes(session: Session, department_id: int) -> set[str]:
    """The department's own posts plus the shared ones."""
    own = set(session.execute(select(Post.name).where(Post.department_id == department_id)).scalars())
    return own | shared_posts(session)
