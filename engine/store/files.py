"""Materials and evidence files (申请材料、证据): their rows; the bytes live in a storage (engine/files)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base

MATERIAL = "material"
EVIDENCE = "evidence"


class Attachment(Base):
    """One uploaded version of a file of a case: never changed, never deleted (the database refuses both).

    A *slot* is what the file proves: ``material:<name>`` for an item of the power's material list, or
    ``evidence:<task id>`` for a step. A new upload into a slot is its next ``version``; earlier versions stay.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("case_id", "slot", "version", name="uq_attachments_slot_version"),
        Index("ix_attachments_case_slot", "case_id", "slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: ``material`` or ``evidence``.
    kind: Mapped[str] = mapped_column(String(20))
    slot: Mapped[str] = mapped_column(String(250))
    #: The material list's item (kind ``material``).
    material: Mapped[str | None] = mapped_column(String(200))
    #: The step the evidence belongs to (kind ``evidence``): its task id, flowchart id and name.
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(100))
    step_name: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int]
    #: The uploader's file name, checked (engine/files/names.py); shown and given back on download, never a path.
    display_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Where the storage keeps the bytes (engine/files/storage.py: the content's SHA-256 today).
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(50))
    uploaded_at: Mapped[datetime]
