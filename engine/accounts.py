"""A staff account over its life: a new password (chosen by its holder or set by an operator), deactivation and
reactivation. Each ends the user's web sessions everywhere and is recorded in the audit log (never the password).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.db import transaction
from engine.password_policy import Weakness, weaknesses
from engine.passwords import hash_password
from engine.store import User
from engine.web_sessions import Ended, end_all


class UnknownUser(LookupError):
    """No account has this username."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(username)


class WeakPassword(ValueError):
    """The new password breaks the policy (``engine/password_policy.py``); ``weaknesses`` says how."""

    def __init__(self, found: list[Weakness]) -> None:
        self.weaknesses = found
        super().__init__(", ".join(found))


@dataclass(frozen=True)
class Changed:
    """What a change did: whether the account changed at all, and how many open sessions it ended."""

    changed: bool
    sessions_ended: int = 0


def set_password(sessions: sessionmaker[Session], username: str, password: str, *, actor: str,
                 reset: bool = False) -> Changed:
    """Give ``username`` the new ``password`` and end all their sessions.

    ``reset``: an operator sets it (``sunshine user set-password``) rather than its holder (the password page);
    the audit event and the sessions' end say which. ``WeakPassword`` when the policy refuses the password,
    ``UnknownUser`` when no account has the name.
    """
    found = weaknesses(password, username)
    if found:
        raise WeakPassword(found)
    new_hash = hash_password(password)  # the costly part, before the write transaction
    with transaction(sessions) as s:
        user_id = _user_id(s, username)
        s.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
        ended = end_all(s, user_id, Ended.PASSWORD_RESET if reset else Ended.PASSWORD_CHANGED)
        audit.record(s, actor, "user.password_reset" if reset else "user.password_changed",
                     payload={"user": username, "sessions_ended": ended})
    return Changed(True, ended)


def set_active(sessions: sessionmaker[Session], username: str, active: bool, *, actor: str) -> Changed:
    """Deactivate (ending every session) or reactivate ``username``; nothing happens when it already is so."""
    with transaction(sessions) as s:
        user_id = _user_id(s, username)
        if s.scalar(select(User.active).where(User.id == user_id)) == active:
            return Changed(False)
        s.execute(update(User).where(User.id == user_id).values(active=active))
        ended = 0 if active else end_all(s, user_id, Ended.DEACTIVATED)
        audit.record(s, actor, "user.activated" if active else "user.deactivated",
                     payload={"user": username, "sessions_ended": ended})
    return Changed(True, ended)


def _user_id(session: Session, username: str) -> int:
    found = session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise UnknownUser(username)
    return found
