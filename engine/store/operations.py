"""Case operations beyond the modelled steps: pauses, merges, drafts, comments.

Claims and returns need no table of their own: a claim is the open step's ``assignee_id``, a return the reopened
step's ``returned_reason``; both are audit events in the case's stream (``engine/runtime/operations``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base

#: The predicate of the index on suspensions still running: the supervisor looks for those past their maximum.
RUNNING_SUSPENSION = "resumed_at IS NULL"


class CaseSuspension(Base):
    """A 暂停 of the whole case by staff, on a legal ground; closed once by its 恢复, never deleted.

    ``frozen`` keeps what the pause took off the clock, to give it back shifted on resume: each waiting timer's
    moment (``timers``: timer task id → ISO moment) and each open step's deadline and warning moment (``steps``:
    step id → [due ISO or null, warn ISO or null]).
    """

    __tablename__ = "case_suspensions"
    __table_args__ = (
        Index("ix_case_suspensions_running_alert", "alert_at",
              sqlite_where=text(RUNNING_SUSPENSION), postgresql_where=text(RUNNING_SUSPENSION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ground: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(50))
    #: When the pause passes its ground's maximum length (rule P9 alerts then); None without a maximum.
    alert_at: Mapped[datetime | None]
    frozen: Mapped[dict[str, Any]]
    resumed_at: Mapped[datetime | None]
    resumed_by: Mapped[str | None] = mapped_column(String(50))
    #: The working days the case's limits and timers moved on by when it resumed.
    workdays: Mapped[int | None]


class CaseLink(Base):
    """A link between two cases: ``case_id`` was merged (并案) into ``into_case_id``; read both ways."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    into_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(50))


class StepDraft(Base):
    """A step form saved unchecked (暂存) by one user; the newest per user and step is the draft. Insert-only."""

    __tablename__ = "step_drafts"
    __table_args__ = (Index("ix_step_drafts_task_user", "task_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


class CaseComment(Base):
    """A comment on a case, for its handlers; append-only."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
