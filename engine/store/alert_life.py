"""The life of an alert (说明、整改、销号、问责) and 督办 (directives).

An alert's stage is a column of the alert (``alerts.stage``, beside ``status``, see ``engine/store/case.py``); each
move of it is a row here (``AlertStep``), never edited, with the working days it took since the move before. A
directive (``Directive``) is one row whose columns record its report and its one extension; each change is also an
audit event in the stream of the directive's own case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base

#: The predicate of the index on directives still awaiting their report whose next alert is set.
DIRECTIVE_ALERT_DUE = "state = 'open' AND next_alert_at IS NOT NULL"


class AlertStep(Base):
    """One move of an alert's life (started, explained, rejected, accepted, rectified, returned, closed, referred):
    when, by whom, what they wrote."""

    __tablename__ = "alert_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    move: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(50))
    #: What the step recorded: the explanation, the rectification report, the supervisor's opinion.
    note: Mapped[str | None] = mapped_column(Text)
    #: Working days since the move before (since the alert was raised for the first move).
    workdays: Mapped[int]


class Directive(Base):
    """A 督办: a supervisor's requirement to a department, reported within 20 working days (seed 003 第九条)."""

    __tablename__ = "directives"
    __table_args__ = (
        Index("ix_directives_alert_due", "next_alert_at",
              sqlite_where=text(DIRECTIVE_ALERT_DUE), postgresql_where=text(DIRECTIVE_ALERT_DUE)),
        Index("ix_directives_issued", "issued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the directive is on: "alert", "case" or "department"; the alert and case when there is one.
    target: Mapped[str] = mapped_column(String(20))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    #: The directive's own case (internal power ``PLATFORM-DIRECTIVE``): its report step, audit stream and alerts.
    own_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    subject: Mapped[str] = mapped_column(String(200))
    requirement: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(50))
    due_at: Mapped[datetime]
    #: "open" until reported, then "reported".
    state: Mapped[str] = mapped_column(String(20), default="open")
    #: 0 none yet, 1 yellow raised, 2 red raised (for the current deadline); and the moment of the next one.
    alert_level: Mapped[int] = mapped_column(default=0)
    next_alert_at: Mapped[datetime | None]
    #: The one extension: asked (days, reason, when, by whom), then granted or refused (when, by whom).
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_asked_at: Mapped[datetime | None]
    extension_asked_by: Mapped[str | None] = mapped_column(String(50))
    #: None while nobody asked; "asked", then "granted" or "refused".
    extension_state: Mapped[str | None] = mapped_column(String(20))
    extension_decided_at: Mapped[datetime | None]
    extension_decided_by: Mapped[str | None] = mapped_column(String(50))
    reported_at: Mapped[datetime | None]
    reported_by: Mapped[str | None] = mapped_column(String(50))
    report: Mapped[str | None] = mapped_column(Text)
    #: Whether the report came after the deadline in force.
    late: Mapped[bool] = mapped_column(default=False)
