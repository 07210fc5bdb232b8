"""Identity operations: users, and which posts a user holds (passwords: engine/passwords.py)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import clock
from engine.passwords import hash_password
from engine.plain_text import require_visible
from engine.store import Department, Membership, Post, Region, User, UserRole


def ensure_region(session: Session, code: str, name: str) -> Region:
    region = session.execute(select(Region).where(Region.code == code)).scalar_one_or_none()
    if region is None:
        region = Region(code=code, name=name)
        session.add(region)
        session.flush()
    return region


def ensure_department(session: Session, region: Region, code: str, name: str, posts: list[str]) -> Department:
    """Create the department and any missing posts; existing ones are kept."""
    dept = session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is None:
        dept = Department(code=code, name=name, region_id=region.id)
        session.add(dept)
        session.flush()
    have = {p.name for p in dept.posts}
    for name_ in posts:
        if name_ not in have:
            session.add(Post(department_id=dept.id, name=name_))
    session.flush()
    session.refresh(dept)
    return dept


def create_user(session: Session, username: str, display_name: str, password: str, *, roles: list[str],
                posts: list[Post] = ()) -> User:  # type: ignore[assignment]
    """A new user holding ``posts`` with ``roles``.

    ``InvisibleText`` for a username or display name holding a character nobody sees (a direction override, a
    zero-width space: ``engine.plain_text``): the name is shown in every list and step a user works.
    """
    require_visible("username", username)
    require_visible("display_name", display_name)
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                created_at=clock.now())
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    for post in posts:
        session.add(Membership(user_id=user.id, post_id=post.id))
    session.flush()
    return user


def post_ids_of(session: Session, user_id: int) -> list[int]:
    """Ids of the posts a user holds."""
    return list(session.execute(select(Membership.post_id).where(Membership.user_id == user_id)).scalars())


def departments_of(user_id: int) -> Select[tuple[int]]:
    """The ids of the departments in which a user holds a post, as a query (to run, or to nest in another)."""
    return (select(Post.department_id).join(Membership, Membership.post_id == Post.id)
            .where(Membership.user_id == user_id).distinct())


def department_ids_of(session: Session, user_id: int) -> list[int]:
    """Ids of the departments in which a user holds a post."""
    return list(session.execute(departments_of(user_id)).scalars())
