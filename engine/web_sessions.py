"""Signed-in web sessions kept on the server: started at sign-in, ended by signing out, a new password, deactivation,
or their idle and absolute limits.

The browser holds a random token (inside the web app's signed cookie); the database holds its SHA-256 only. A cookie
is worth nothing once its row has ended, and the cookie-signing key alone cannot make one that opens a session.
Each request costs one read (the session, its user, their roles and the posts they hold, in one statement), and
whatever the request asks of the user afterwards (which posts, which departments, may they register) is answered
from that read (``engine.access``); "last seen" is written at most once a minute, so a busy page does not turn every
request into a write.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, select, update
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from engine import clock
from engine.config import Settings
from engine.db import transaction
from engine.store import Department, Membership, Post, User, UserRole, WebSession

#: "Last seen" is refreshed when it is at least this old: the idle limit is kept to within this much.
TOUCH_EVERY = timedelta(minutes=1)


class Ended(enum.StrEnum):
    """Why a session no longer signs its browser in (stored in ``web_sessions.end_reason``)."""

    SIGNED_OUT = "signed_out"
    #: The same browser signed in again (perhaps as someone else): the old session gives way.
    SIGNED_IN_AGAIN = "signed_in_again"
    #: The user chose a new password.
    PASSWORD_CHANGED = "password_changed"
    #: An operator set the user's password (``sunshine user set-password``).
    PASSWORD_RESET = "password_reset"
    DEACTIVATED = "deactivated"
    IDLE = "idle"
    #: Older than the absolute lifetime.
    EXPIRED = "expired"
    #: Never stored: no session has this token (a forged, very old or foreign cookie).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Lifetimes:
    """How long a session may sit unused, and how long it may last at all."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.absolute <= timedelta(0):
            raise ValueError("session lifetimes must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> Lifetimes:
        """The limits an operator set with ``SUNSHINE_SESSION_IDLE_MINUTES`` and ``SUNSHINE_SESSION_MAX_HOURS``."""
        return cls(idle=timedelta(minutes=settings.session_idle_minutes),
                   absolute=timedelta(hours=settings.session_max_hours))

    def lapse(self, created_at: datetime, last_seen_at: datetime) -> tuple[datetime, Ended]:
        """When a session seen last at ``last_seen_at`` stops holding, and why."""
        idle_end, absolute_end = last_seen_at + self.idle, created_at + self.absolute
        return (idle_end, Ended.IDLE) if idle_end < absolute_end else (absolute_end, Ended.EXPIRED)


@dataclass(frozen=True)
class Resumed:
    """A request's session: its user (roles, and memberships with their posts and departments, loaded) while it
    holds, else why it ended."""

    user: User | None
    ended: Ended | None = None


def digest(token: str) -> str:
    """What the database keeps of a token: its hex SHA-256 (the token is random, so no salt or stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(sessions: sessionmaker[Session], user_id: int, *, replacing: str | None = None) -> str:
    """A new session for ``user_id``; its token, for the browser. ``replacing``: the browser's previous token,
    whose session ends (a fresh id at every sign-in, so a token planted before sign-in is worth nothing after)."""
    token = secrets.token_urlsafe(32)
    with transaction(sessions) as s:
        now = clock.now()
        if replacing:
            _end(s, WebSession.token_hash == digest(replacing), Ended.SIGNED_IN_AGAIN, now)
        s.add(WebSession(token_hash=digest(token), user_id=user_id, created_at=now, last_seen_at=now))
    return token


def resume(sessions: sessionmaker[Session], reader: sessionmaker[Session], token: str,
           lifetimes: Lifetimes) -> Resumed:
    """The user whose session ``token`` opens, or why it no longer does (a lapsed session is ended now)."""
    now = clock.now()
    with reader() as s:
        rows = s.connection().execute(_LOOKUP, {"token_hash": digest(token)}).all()
    if not rows:
        return Resumed(None, Ended.UNKNOWN)
    row = rows[0]
    if row.ended_at is not None:
        return Resumed(None, _reason(row.end_reason))
    if not row.active:  # deactivated other than by ``engine.accounts``
        return Resumed(None, _end_now(sessions, row.id, Ended.DEACTIVATED, now))
    lapse_at, why = lifetimes.lapse(row.created_at, row.last_seen_at)
    if now >= lapse_at:
        # Ended as of the moment it lapsed, so the row says how long it really lasted.
        return Resumed(None, _end_now(sessions, row.id, why, lapse_at))
    if now - row.last_seen_at >= TOUCH_EVERY:
        with transaction(sessions) as s:
            touched = s.execute(update(WebSession).where(WebSession.id == row.id, WebSession.ended_at.is_(None))
                                .values(last_seen_at=now).execution_options(synchronize_session=False)).rowcount
        if not touched:  # ended by another request since it was read
            return Resumed(None, Ended.UNKNOWN)
    return Resumed(_signed_in(rows))


def end(sessions: sessionmaker[Session], token: str, reason: Ended) -> bool:
    """End the session of ``token`` (signing out); False when it had already ended or never existed."""
    with transaction(sessions) as s:
        return _end(s, WebSession.token_hash == digest(token), reason, clock.now()) > 0


def end_all(session: Session, user_id: int, reason: Ended) -> int:
    """End every open session of ``user_id`` inside the caller's transaction; how many there were."""
    return _end(session, WebSession.user_id == user_id, reason, clock.now())


_SESSIONS, _USERS, _ROLES = WebSession.__table__.c, User.__table__.c, UserRole.__table__.c
_MEMBERSHIPS, _POSTS, _DEPARTMENTS = Membership.__table__.c, Post.__table__.c, Department.__table__.c
# One statement, built once: the session, its user (inner join: a session always has one), and a row for each of
# their roles and posts (with the post's department). Plain rows, not the ORM's joined loading, which costs twice
# the statement's own time.
_LOOKUP = (
    select(_SESSIONS.id, _SESSIONS.user_id, _SESSIONS.created_at, _SESSIONS.last_seen_at, _SESSIONS.ended_at,
           _SESSIONS.end_reason, _USERS.username, _USERS.display_name, _USERS.active, _ROLES.role,
           _MEMBERSHIPS.post_id, _POSTS.name.label("post_name"), _POSTS.department_id,
           _DEPARTMENTS.code.label("department_code"), _DEPARTMENTS.name.label("department_name"),
           _DEPARTMENTS.region_id)
    .select_from(WebSession.__table__)
    .join(User.__table__, _USERS.id == _SESSIONS.user_id)
    .outerjoin(UserRole.__table__, _ROLES.user_id == _USERS.id)
    .outerjoin(Membership.__table__, _MEMBERSHIPS.user_id == _USERS.id)
    .outerjoin(Post.__table__, _POSTS.id == _MEMBERSHIPS.post_id)
    .outerjoin(Department.__table__, _DEPARTMENTS.id == _POSTS.department_id)
    .where(_SESSIONS.token_hash == bindparam("token_hash"))
)


def _signed_in(rows: Sequence[Row[Any]]) -> User:
    """The user of ``rows`` (one per role and post held), as if loaded and then detached: their roles, and their
    memberships with each post and its department, are there to read; nothing else of theirs (not the password
    hash, not a department's other posts) is."""
    first = rows[0]
    user = User(id=first.user_id, username=first.username, display_name=first.display_name, active=first.active)
    roles = [UserRole(user_id=user.id, role=role) for role in sorted({r.role for r in rows if r.role})]
    departments: dict[int, Department] = {}
    memberships: dict[int, Membership] = {}
    for r in rows:
        if r.post_id is None or r.post_id in memberships:
            continue
        department = departments.get(r.department_id)
        if department is None:
            department = departments[r.department_id] = Department(
                id=r.department_id, code=r.department_code, name=r.department_name, region_id=r.region_id)
        post = Post(id=r.post_id, name=r.post_name, department_id=r.department_id)
        set_committed_value(post, "department", department)
        member = memberships[r.post_id] = Membership(user_id=user.id, post_id=r.post_id)
        set_committed_value(member, "post", post)
        set_committed_value(member, "user", user)
    for role in roles:
        set_committed_value(role, "user", user)
    set_committed_value(user, "roles", roles)
    set_committed_value(user, "memberships", [memberships[k] for k in sorted(memberships)])
    for loaded in [*departments.values(), *(m.post for m in memberships.values()), *memberships.values(), *roles,
                   user]:
        make_transient_to_detached(loaded)
    return user


def _end(session: Session, which: ColumnElement[bool], reason: Ended, at: datetime) -> int:
    """End the open sessions ``which`` picks, as of ``at``; an ended session keeps its first end."""
    return session.execute(update(WebSession).where(which, WebSession.ended_at.is_(None))
                           .values(ended_at=at, end_reason=reason.value)
                           .execution_options(synchronize_session=False)).rowcount


def _end_now(sessions: sessionmaker[Session], session_id: int, reason: Ended, at: datetime) -> Ended:
    with transaction(sessions) as s:
        _end(s, WebSession.id == session_id, reason, at)
    return reason


def _reason(stored: str | None) -> Ended:
    try:
        return Ended(stored or Ended.UNKNOWN)
    except ValueError:  # a reason written by a later version
        return Ended.UNKNOWN
