"""The append-only audit log and its checkpoints; UPDATE and DELETE are refused by database triggers.

How events are keyed, linked and sealed is ``engine/audit`` (and ``docs/audit.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base

_HAS_XACT = text("xact IS NOT NULL")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # A stream (one case's events, or the system's) read backwards from its tip, or in order by ``verify``.
        Index("ix_audit_events_stream", "case_id", "id"),
        # The checkpointer reads what committed since the last checkpoint by transaction id (PostgreSQL only:
        # SQLite leaves ``xact`` empty, so the partial index stays empty there and costs nothing).
        Index("ix_audit_events_xact", "xact", "id", postgresql_where=_HAS_XACT, sqlite_where=_HAS_XACT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    step: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    #: The previous event of the same stream (a legacy event: the previous event of the one global chain).
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: HMAC-SHA256 under the audit key (a legacy event: plain SHA-256).
    hash: Mapped[str] = mapped_column(String(64))
    #: Which key made ``hash``; None marks a legacy event, written before migration 0008.
    key_id: Mapped[str | None] = mapped_column(String(32))
    #: PostgreSQL: the writing transaction's id (a column default), which tells the checkpointer when the event
    #: is committed for good. SQLite: None (one writer at a time, so ids are committed in order).
    xact: Mapped[int | None] = mapped_column(BigInteger)


class AuditCheckpoint(Base):
    """A seal over every event committed since the previous checkpoint, also appended to a file elsewhere."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    #: Events whose seal key (PostgreSQL: ``xact``; SQLite: ``id``) is below this and at or above the previous
    #: checkpoint's ``upto`` belong to this checkpoint.
    upto: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int]
    #: The sum, modulo 2**256, of a keyed hash of each sealed event's id and hash.
    digest: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64))
