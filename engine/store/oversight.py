"""Supervision by level: supervisors' scopes, patrols (巡查) and their duty per region, missed patrols.

Views of personal data by a supervisor need no table: each is a ``case.viewed`` audit event in the case's stream
(``engine/supervision/scope.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base
from engine.store.case import Case

#: The predicate of the completed-cases index.
COMPLETED = "completed_at IS NOT NULL"

# The dashboard's on-time rate and average handling time read the cases completed in a period by this index
# (never every case): declared here, beside the dashboard's other tables, so that engine/store/case.py stays as it is.
Index("ix_cases_completed_at", Case.completed_at, Case.department_id,
      sqlite_where=text(COMPLETED), postgresql_where=text(COMPLETED))


class SupervisionScope(Base):
    """Where a supervisor watches: a region (and every region below it) or one department's own supervision office
    (行权部门监察机构, seed 003 阿坝州办法 第四十六条). A supervisor without a row sees the whole platform."""

    __tablename__ = "supervision_scopes"
    __table_args__ = (
        CheckConstraint("(region_id IS NULL) <> (department_id IS NULL)", name="one_scope"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(50))


class Patrol(Base):
    """A supervisor's recorded round of checks (巡查) of a region's platform: what was looked at, what was found.
    Never edited: a correction is a new patrol."""

    __tablename__ = "patrols"
    __table_args__ = (Index("ix_patrols_region_at", "region_id", "patrolled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    #: Set when a department's own supervision office patrolled its department.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    supervisor: Mapped[str] = mapped_column(String(50))
    patrolled_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    #: What was looked at: {"departments": [id…], "powers": [id…], "cases": [id…]}.
    looked_at: Mapped[dict[str, Any]]
    findings: Mapped[str] = mapped_column(Text)


class PatrolDuty(Base):
    """A region's patrol duty: at least ``times`` patrols every ``every_workdays`` working days (seed 003
    第十一条(二))."""

    __tablename__ = "patrol_duties"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    every_workdays: Mapped[int]
    #: How many patrols those working days must hold (the seed's 「每个工作日巡查2次以上」: 2 every 1).
    times: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    #: The duty counts from here until the first patrol after it.
    since: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(50))


class PatrolLapse(Base):
    """A patrol duty missed: no patrol of the region by ``due_at``. Raised once per (region, deadline) by the
    supervisor's tick (rule W1). It is a region's alert, not a case's, so it lives here rather than in ``alerts``
    (whose rows each belong to a case); the dashboard counts it with the alerts."""

    __tablename__ = "patrol_lapses"
    __table_args__ = (UniqueConstraint("region_id", "due_at", name="uq_patrol_lapses_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    due_at: Mapped[datetime]
    raised_at: Mapped[datetime]
    #: The last patrol before the deadline (None: none since the duty was set).
    last_patrol_at: Mapped[datetime | None]
