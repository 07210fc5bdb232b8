"""Legal documents (法律文书), their templates and numbering.

Neither table is ever updated: a template's new text is a new version row, a corrected document is a new numbered
row that cites the one it corrects (``replaces_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base


class DocumentTemplate(Base):
    """One version of the template of a document kind, as the legal office saved it."""

    __tablename__ = "document_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(50))


class Document(Base):
    """An issued document: its number, the text as issued, and the SHA-256 of its PDF (the PDF's storage key)."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_case_kind", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(120), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    year: Mapped[int]
    sequence: Mapped[int]
    template_id: Mapped[int] = mapped_column(ForeignKey("document_templates.id"))
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    #: The values the template was filled with (case fields, step values, the materials list).
    values: Mapped[dict[str, Any]]
    #: SHA-256 of the PDF, which is also its key in the file storage (``engine.files.storage``, write-once).
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(50))
    #: The open step it was issued at (its name stays readable after the step closed), if any.
    task_id: Mapped[str | None] = mapped_column(String(40))
    step_name: Mapped[str | None] = mapped_column(String(200))
    #: A correction cites the document it corrects, with the reason.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    template: Mapped[DocumentTemplate] = relationship()
