"""Identity operations: passwords, users, and which posts a user holds."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import clock
from engine.store import Department, Membership, Post, Region, User, UserRole

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form ``scrypt$N$r$p$salt$hash``."""
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=_N, r=_R, p=_P).hex()
    return f"scrypt${_N}${_R}${_P}${salt}${digest}"


def check_password(stored: str, password: str) -> bool:
    """True when ``password`` matches the stored hash."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


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
    """A new user holding ``posts`` with ``roles``."""
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
