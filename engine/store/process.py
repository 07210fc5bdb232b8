"""Deployed flowcharts and the powers they implement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base
from engine.store.identity import Department


class ProcessVersion(Base):
    """An immutable deployed BPMN: new cases take the newest, running cases keep theirs."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime]


class Power(Base):
    """A catalog entry (行政权力事项): identity, lifecycle status, and what running cases need.

    The public fields live in immutable ``PowerVersion`` snapshots; these columns mirror the newest published
    one so the runtime and lists need no JSON.
    """

    __tablename__ = "powers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    process_key: Mapped[str | None] = mapped_column(String(100))
    legal_limit_days: Mapped[int] = mapped_column(default=0)
    promised_limit_days: Mapped[int] = mapped_column(default=0)
    warn_workdays: Mapped[float] = mapped_column(default=1.0)
    # draft → published ⇄ suspended; published/suspended → cancelled. Only "published" accepts new cases.
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)
    # 涉密: may run, never enters the public catalog, its search index or its exports.
    secret: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)

    @property
    def published(self) -> bool:
        return self.status == "published"

    department: Mapped[Department] = relationship()
