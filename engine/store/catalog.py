"""Catalog records: immutable published versions, adjustment requests (动态调整), the search index."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base
from engine.store.process import Power


class PowerVersion(Base):
    """What was published, exactly as published; running cases stay on the flowchart version they began on."""

    __tablename__ = "power_versions"
    __table_args__ = (UniqueConstraint("power_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    power_id: Mapped[int] = mapped_column(ForeignKey("powers.id"), index=True)
    number: Mapped[int]
    change_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_changes.id"))
    fields: Mapped[dict[str, Any]]
    internal_bpmn: Mapped[str | None] = mapped_column(Text)
    external_bpmn: Mapped[str | None] = mapped_column(Text)
    process_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    status: Mapped[str] = mapped_column(String(20))  # the power's status this version put in force
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(50))
    #: Set only on a version a migration import published without the review chain: the approving document's
    #: reference and who approved it (engine/catalog/importer.py).
    approval_document: Mapped[str | None] = mapped_column(String(300))
    approved_by: Mapped[str | None] = mapped_column(String(100))

    power: Mapped[Power] = relationship()


class CatalogChange(Base):
    """One adjustment request: add, modify, cancel, suspend or resume a power, with its reason and trigger."""

    __tablename__ = "catalog_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    power_id: Mapped[int] = mapped_column(ForeignKey("powers.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    # draft → submitted → (returned → submitted)* → approved → published; or rejected / withdrawn
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    trigger_kind: Mapped[str] = mapped_column(String(20), default="other")
    trigger_document: Mapped[str] = mapped_column(String(300), default="")
    trigger_published_on: Mapped[date | None]
    fields: Mapped[dict[str, Any]]
    internal_bpmn: Mapped[str | None] = mapped_column(Text)
    external_bpmn: Mapped[str | None] = mapped_column(Text)
    review_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    power: Mapped[Power] = relationship()


class PowerSearchTerm(Base):
    """Character bigrams of a published, non-secret power's public text: portable Chinese full-text search."""

    __tablename__ = "power_search_terms"
    __table_args__ = (Index("ix_power_search_terms_gram", "gram", "power_id"),)

    power_id: Mapped[int] = mapped_column(ForeignKey("powers.id"), primary_key=True)
    gram: Mapped[str] = mapped_column(String(8), primary_key=True)
    weight: Mapped[int]
