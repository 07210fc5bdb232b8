"""Supervision reports (月报、季报、年报) and department scores (绩效考核).

No row here is ever updated: a report is generated once per (kind, period, scope) and its bytes are stored by
their SHA-256; its submission (报送) is a row of its own; new score weights are a new version; a score keeps the
weights and the inputs it was computed from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base
from engine.store.case import Alert

# The figures read the alerts still open at a moment by this (migration 0021); declared here, beside the reports
# that need it, rather than in engine/store/case.py. (A period's completed cases: ix_cases_completed_at, 0020.)
Index("ix_alerts_closed_at", Alert.__table__.c.closed_at)


class Report(Base):
    """One generated report: its period and scope, who made it, and the keys (SHA-256) of its PDF and workbook."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("kind", "period", "scope", name="uq_reports_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: month, quarter or year (engine/supervision/periods.py).
    kind: Mapped[str] = mapped_column(String(10))
    #: The period's key: 2026-11, 2026-Q4, 2026.
    period: Mapped[str] = mapped_column(String(10))
    #: "all" for the whole platform, else the scope's key (a region's, or a list of departments').
    scope: Mapped[str] = mapped_column(String(80))
    scope_name: Mapped[str] = mapped_column(String(200))
    department_ids: Mapped[list[Any] | None]
    generated_at: Mapped[datetime] = mapped_column(index=True)
    #: The supervisor's username, or "system" when the scheduler made it.
    generated_by: Mapped[str] = mapped_column(String(50))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_size: Mapped[int]
    #: The totals the report shows, for the list (the files hold the rest).
    summary: Mapped[dict[str, Any]]


class ReportSubmission(Base):
    """A report marked as submitted (报送) to the bodies the rules name, once."""

    __tablename__ = "report_submissions"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[str] = mapped_column(String(50))


class ScoreWeights(Base):
    """One version of the score's weights as the supervision office saved it."""

    __tablename__ = "score_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    #: Component weights and penalty factors (engine/supervision/scores.py ``Weights``).
    weights: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(50))


class DepartmentScore(Base):
    """A department's score for a finished period under one version of the weights, with what it was computed from."""

    __tablename__ = "department_scores"
    __table_args__ = (UniqueConstraint("kind", "period", "department_id", "weights_version",
                                       name="uq_department_scores_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    #: 0 for the built-in default weights, else ``score_weights.version``.
    weights_version: Mapped[int]
    weights: Mapped[dict[str, Any]]
    inputs: Mapped[dict[str, Any]]
    #: The score, 0–100, two decimals (stored as hundredths so both databases agree exactly).
    score_hundredths: Mapped[int]
    computed_at: Mapped[datetime]
