"""Issuing a document: number it, fill its template, render the PDF, store it, record its hash in the case's
audit stream — one transaction. Issued documents are never changed: ``issue(..., replaces_id=…, reason=…)``
corrects one with a new number that cites it.

Who issues: staff of the case's department (any post there), or whoever may work one of its open steps (a
cross-department step). Supervisors read documents but do not issue them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from engine import audit, clock
from engine.access import intake_of, may_see_case
from engine.documents import numbering, templates
from engine.documents.errors import DocumentProblem
from engine.documents.kinds import KINDS, DocumentKind, kinds_for
from engine.documents.placeholders import fill, plain
from engine.documents.render import render_pdf
from engine.documents.values import case_form_fields, case_values
from engine.files.storage import Storage, StorageError
from engine.store import Case, Department, Membership, OpenTask, Post, User
from engine.store.documents import Document

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

log = logging.getLogger("sunshine.documents")
MAX_REASON = 500
#: The audit actions of reading a document, by how it was read.
READ_ACTIONS = {"download": "document.downloaded", "print": "document.printed"}


@dataclass(frozen=True)
class Issued:
    id: int
    number: str
    title: str
    sha256: str


def may_issue(session: Session, user: User, case: Case) -> bool:
    """Staff of the case's department, or whoever may work one of its open steps."""
    posts = select(Membership.post_id).where(Membership.user_id == user.id)
    in_department = exists().where(Membership.user_id == user.id, Membership.post_id == Post.id,
                                   Post.department_id == case.department_id)
    works_step = exists().where(OpenTask.case_id == case.id,
                                or_(OpenTask.assignee_id == user.id,
                                    (OpenTask.assignee_id.is_(None)) & OpenTask.post_id.in_(posts)))
    return bool(session.execute(select(or_(in_department, works_step))).scalar())


def documents_of(session: Session, case_id: int) -> list[Document]:
    """The case's documents, oldest first."""
    return list(session.execute(select(Document).options(defer(Document.values), joinedload(Document.template))
                                .where(Document.case_id == case_id).order_by(Document.id)).scalars())


def corrected_by(documents: list[Document]) -> dict[int, Document]:
    """Document id → the document that corrects it."""
    return {d.replaces_id: d for d in documents if d.replaces_id is not None}


def _lock_case(session: Session, case_id: int) -> Case:
    # The case row first (lock order: case, then its audit stream), so issuing and completing a step that
    # requires the document take turns.
    locked = session.execute(select(Case.id).where(Case.id == case_id)
                             .with_for_update(key_share=True)).first()
    if locked is None:
        raise DocumentProblem("case.not_found")
    return session.execute(select(Case).options(joinedload(Case.power)).where(Case.id == case_id)).scalar_one()


def issue(session: Session, rt: Runtime, storage: Storage, user: User, case_id: int, kind_code: str, *,
          task_id: str | None = None, current: Mapping[str, Any] | None = None,
          replaces_id: int | None = None, reason: str | None = None) -> Issued:
    """Issue a document of ``kind_code`` for the case, inside the caller's transaction.

    ``task_id`` names the open step it is issued at; ``current`` holds what that step's form holds right now.
    ``replaces_id`` makes it a correction of an issued document of the case (same kind), with ``reason``.
    """
    case = _lock_case(session, case_id)
    if not may_issue(session, user, case):
        raise DocumentProblem("document.not_allowed")
    replaces: Document | None = None
    if replaces_id is not None:
        replaces = session.get(Document, replaces_id)
        if replaces is None or replaces.case_id != case.id:
            raise DocumentProblem("document.not_found")
        newer = session.execute(select(Document.number).where(Document.replaces_id == replaces.id)).scalar()
        if newer is not None:
            raise DocumentProblem("document.replaced", number=replaces.number, newer=newer)
        reason = (reason or "").strip()
        if not reason:
            raise DocumentProblem("document.reason", fields={"reason": DocumentProblem("document.reason").message()})
        if len(reason) > MAX_REASON:
            raise DocumentProblem("document.reason_long", limit=MAX_REASON)
        kind_code = replaces.kind
    kind = KINDS.get(kind_code)
    if kind is None:
        raise DocumentProblem("document.kind")
    if kind not in kinds_for(intake_of(case.power.category).kind):
        raise DocumentProblem("document.wrong_case", title=kind.title, english=kind.english)
    step_name = None
    if task_id:
        step = session.get(OpenTask, task_id)
        step_name = step.name if step is not None and step.case_id == case.id else None
        if step_name is None:
            current = None  # a step that is no longer open contributes nothing typed
    template = templates.current(session, kind.code)
    if template is None:
        raise DocumentProblem("document.kind")
    department = session.get_one(Department, case.department_id)
    now = clock.now()
    number = numbering.next_number(session, department, kind, now)
    values = case_values(session, case, department, case_form_fields(rt, case), current=current,
                         number=number.text, issued_at=now, replaces=replaces, reason=reason)
    lines = fill(template.body, values)
    note = f"（本文书更正 {replaces.number}，更正理由：{reason}）" if replaces is not None else None
    pdf = render_pdf(authority=department.name, title=template.title, number=number.text, lines=lines,
                     issued_at=now, note=note)
    # Stored before the row commits: should the transaction roll back, the stored PDF is an orphan no row names
    # (content-addressed and write-once, it can never be taken for another document).
    digest = hashlib.sha256(pdf).hexdigest()
    if storage.put(pdf) != digest:
        raise StorageError(f"the storage keyed document {number.text} other than by its SHA-256")
    document = Document(case_id=case.id, kind=kind.code, number=number.text, department_id=department.id,
                        year=number.year, sequence=number.sequence, template_id=template.id, title=template.title,
                        text=plain(lines), values=values, sha256=digest, issued_at=now,
                        issued_by=user.username, task_id=task_id if step_name else None, step_name=step_name,
                        replaces_id=replaces.id if replaces is not None else None,
                        reason=reason if replaces is not None else None)
    session.add(document)
    session.flush()
    audit.record(session, user.username, "document.corrected" if replaces is not None else "document.issued",
                 case_id=case.id, step=step_name, at=now,
                 payload={"document": document.id, "kind": kind.code, "number": number.text, "sha256": digest,
                          "template": template.kind, "template_version": template.version,
                          "replaces": replaces.number if replaces is not None else None,
                          "reason": document.reason})
    return Issued(document.id, document.number, document.title, digest)


@dataclass(frozen=True)
class Opened:
    number: str
    pdf: bytes


def open_document(session: Session, storage: Storage, user: User, document_id: int, *, how: str) -> Opened | None:
    """The document's PDF for a user who may see its case, recording the reading (``how``: download or print) in
    the case's audit stream; None when there is no such document or the user may not see it. The bytes are
    checked against the recorded hash."""
    document = session.get(Document, document_id)
    if document is None or not may_see_case(session, user, document.case_id):
        return None
    try:
        pdf = storage.read(document.sha256)
    except StorageError:
        pdf = b""
    if hashlib.sha256(pdf).hexdigest() != document.sha256:  # missing, or changed on disk
        log.error("document %s: the stored PDF %s is missing or does not match its hash", document.number,
                  document.sha256)
        raise DocumentProblem("document.damaged", number=document.number)
    audit.record(session, user.username, READ_ACTIONS[how], case_id=document.case_id,
                 payload={"document": document.id, "number": document.number, "sha256": document.sha256})
    return Opened(document.number, pdf)


def preview(session: Session, kind: DocumentKind, title: str, body: str) -> bytes:
    """A template as typed, rendered as a sample with blanks where a case's values go; nothing stored."""
    now = clock.now()
    number = numbering.preview_number(None, kind, now)
    values: dict[str, Any] = {"签发日期": f"{clock.local(now).year}年×月×日", "文号": number,
                              "发文机关": "（发文机关）"}
    return render_pdf(authority="（发文机关）", title=title, number=number, lines=fill(body, values), issued_at=now)
