"""Signed-in web sessions, kept on the server so that signing out, a new password or deactivation ends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base
from engine.store.identity import User


class WebSession(Base):
    """One sign-in in one browser, from sign-in until it ends. Rows are never deleted: an ended session stays.

    The browser holds a random token; only its SHA-256 is stored, so a copy of the table opens no session.
    A session whose idle or absolute limit passed unnoticed (the browser never came back) keeps ``ended_at``
    empty: it is dead all the same, as ``engine/web_sessions.py`` checks the limits on every request.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Hex SHA-256 of the browser's token: every request looks its session up by it (the unique index).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Indexed: a new password or a deactivation ends every open session of the user.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    #: Refreshed at most once a minute (``engine/web_sessions.py``), not on every request.
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: Why it ended: one of ``engine.web_sessions.Ended``.
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()
