"""Adding a file to a case and reading one back; each writes its audit event in the case's stream.

Adding is one transaction that locks the case row (as a step does), so a decision completing at the same moment
either sees the file or locks it out. Every check is made before the bytes are stored: a refused upload leaves no
row, no stored file and no audit event. The bytes go to the storage before the row is committed; should the commit
then fail, the stored content is unreferenced (and harmless: it is named by its own hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.files.access import may_add_files, may_see_case
from engine.files.checks import Upload
from engine.files.errors import FileProblem
from engine.files.lock import decided
from engine.files.materials import material_list
from engine.files.storage import Storage, StorageError, key_of
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.store import Case, OpenTask, StepRecord, User
from engine.store.files import EVIDENCE, MATERIAL, Attachment

UPLOADED = "file.uploaded"
DOWNLOADED = "file.downloaded"


@dataclass(frozen=True)
class Target:
    """What a file proves: an item of the material list (``material``) or a step's work (``task_id``)."""

    kind: str
    material: str | None = None
    task_id: str | None = None

    @classmethod
    def of_material(cls, name: str) -> Target:
        return cls(MATERIAL, material=name)

    @classmethod
    def of_step(cls, task_id: str) -> Target:
        return cls(EVIDENCE, task_id=task_id)

    @property
    def slot(self) -> str:
        return f"{MATERIAL}:{self.material}" if self.kind == MATERIAL else f"{EVIDENCE}:{self.task_id}"


def _lock_case(session: Session, case_id: int) -> Case:
    case = session.execute(select(Case).where(Case.id == case_id)
                           .with_for_update(key_share=True, of=Case.__table__)).scalar_one_or_none()
    if case is None:
        raise RuntimeProblem("case.not_found")
    return case


def _step_of(session: Session, case: Case, task_id: str) -> tuple[str, str, bool]:
    """(flowchart id, name, completed) of the case's step ``task_id``: an open one or a completed one."""
    open_step = session.execute(select(OpenTask.bpmn_id, OpenTask.name)
                                .where(OpenTask.id == task_id, OpenTask.case_id == case.id)).first()
    if open_step is not None:
        return open_step.bpmn_id, open_step.name, False
    done = session.execute(select(StepRecord.bpmn_id, StepRecord.name)
                           .where(StepRecord.task_id == task_id, StepRecord.case_id == case.id).limit(1)).first()
    if done is None:
        raise FileProblem("file.no_such_step")
    return done.bpmn_id, done.name, True


def add_file(rt: Runtime, storage: Storage, user: User, case_id: int, target: Target, upload: Upload) -> Attachment:
    """Add ``upload`` to case ``case_id`` as the next version of ``target``; ``FileProblem`` (or ``RuntimeProblem``
    for a case that does not exist) when it may not be, with nothing stored."""
    with rt.sessions() as session, session.begin():
        return add_file_in(rt, session, storage, user, case_id, target, upload)


def add_file_in(rt: Runtime, session: Session, storage: Storage, user: User, case_id: int, target: Target,
                upload: Upload) -> Attachment:
    """Like ``add_file`` inside the caller's transaction (registration adds its materials with the new case)."""
    case = _lock_case(session, case_id)
    if not may_add_files(session, user, case):
        raise FileProblem("file.not_allowed")
    bpmn_id = step_name = None
    completed_step = False
    if target.kind == MATERIAL:
        if target.material not in {item.name for item in material_list(session, case)}:
            raise FileProblem("file.no_such_material", material=target.material or "")
    else:
        bpmn_id, step_name, completed_step = _step_of(session, case, target.task_id or "")
    if target.kind == MATERIAL or completed_step:
        decision = decided(rt, session, case)
        if decision is not None:
            raise FileProblem("file.locked", decision=decision.name)
    version = (session.execute(select(func.max(Attachment.version))
                               .where(Attachment.case_id == case.id, Attachment.slot == target.slot)).scalar() or 0) + 1
    key = storage.put(upload.data)
    row = Attachment(case_id=case.id, kind=target.kind, slot=target.slot, material=target.material,
                     task_id=target.task_id, bpmn_id=bpmn_id, step_name=step_name, version=version,
                     display_name=upload.name, content_type=upload.type.mime, size=upload.size, sha256=upload.sha256,
                     storage_key=key, uploaded_by=user.username, uploaded_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, user.username, UPLOADED, case_id=case.id, step=step_name, payload=_payload(row),
                 at=row.uploaded_at)
    return row


def _payload(row: Attachment) -> dict[str, Any]:
    return {"file": row.id, "kind": row.kind, "material": row.material, "task": row.task_id, "version": row.version,
            "name": row.display_name, "content_type": row.content_type, "size": row.size, "sha256": row.sha256}


@dataclass(frozen=True)
class Opened:
    """A file as read for a download or a preview: its row and its bytes (checked against the row's hash)."""

    row: Attachment
    data: bytes


def open_file(rt: Runtime, storage: Storage, user: User, file_id: int, *, how: str) -> Opened:
    """File ``file_id`` for ``user`` (``how``: ``download`` or ``preview``), recorded in the case's audit stream.

    ``file.not_found`` both for a file that does not exist and for one of a case the user may not see (nothing
    tells the two apart); ``file.missing_bytes`` when the storage lost it or holds other content.
    """
    with rt.sessions() as session, session.begin():
        row = session.get(Attachment, file_id)
        viewer = session.get(User, user.id)  # with its roles, in this session
        if row is None or viewer is None or not may_see_case(session, viewer, row.case_id):
            raise FileProblem("file.not_found")
        try:
            data = storage.read(row.storage_key)
        except StorageError as exc:
            raise FileProblem("file.missing_bytes") from exc
        if key_of(data) != row.sha256:
            raise FileProblem("file.missing_bytes")
        audit.record(session, user.username, DOWNLOADED, case_id=row.case_id, step=row.step_name,
                     payload={"file": row.id, "how": how, "sha256": row.sha256, "name": row.display_name})
        session.expunge(row)
        return Opened(row, data)
