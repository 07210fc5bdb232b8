"""Templates of the legal office: one per kind, versioned (a save is a new version, nothing is overwritten).

Who edits them: users with the role ``legal`` (the legal office, 法制办; ``engine.store.identity.ROLES``). They
review every power's flowchart already (合法性审查), and documents carry the legal wording they answer for. A
department's staff issue documents from the newest version; each issued document remembers the version it used.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.documents.errors import DocumentProblem
from engine.documents.kinds import KINDS, DocumentKind
from engine.documents.placeholders import unbalanced, unknown_names
from engine.plain_text import invisible
from engine.store import User
from engine.store.documents import DocumentTemplate

EDITOR_ROLE = "legal"
MAX_BODY = 20_000


def may_edit_templates(user: User) -> bool:
    return user.has_role(EDITOR_ROLE)


def current(session: Session, kind: str) -> DocumentTemplate | None:
    """The newest version of ``kind``'s template."""
    return session.execute(select(DocumentTemplate).where(DocumentTemplate.kind == kind)
                           .order_by(DocumentTemplate.version.desc()).limit(1)).scalar_one_or_none()


def versions(session: Session, kind: str) -> list[DocumentTemplate]:
    """Every version of ``kind``'s template, newest first."""
    return list(session.execute(select(DocumentTemplate).where(DocumentTemplate.kind == kind)
                                .order_by(DocumentTemplate.version.desc())).scalars())


def newest_versions(session: Session) -> dict[str, DocumentTemplate]:
    """Kind → its newest template."""
    newest = (select(DocumentTemplate.kind, func.max(DocumentTemplate.version).label("v"))
              .group_by(DocumentTemplate.kind).subquery())
    rows = session.execute(select(DocumentTemplate).join(
        newest, (newest.c.kind == DocumentTemplate.kind) & (newest.c.v == DocumentTemplate.version))).scalars()
    return {t.kind: t for t in rows}


def problems(title: str, body: str, form_fields: Iterable[str]) -> dict[str, DocumentProblem]:
    """What is wrong with a template as typed, by field (``title``, ``body``); empty when it may be saved."""
    out: dict[str, DocumentProblem] = {}
    if not title.strip() or len(title) > 100:
        out["title"] = DocumentProblem("template.title")
    if not body.strip():
        out["body"] = DocumentProblem("template.empty")
    elif len(body) > MAX_BODY:
        out["body"] = DocumentProblem("template.too_long", limit=MAX_BODY)
    elif unbalanced(body):
        out["body"] = DocumentProblem("template.braces")
    elif unknown := unknown_names(body, form_fields):
        out["body"] = DocumentProblem("template.unknown", names="、".join(unknown))
    if "title" not in out and invisible(title) is not None:
        out["title"] = DocumentProblem("template.title")
    return out


def save(session: Session, user: User, kind: DocumentKind, title: str, body: str, *, based_on: int,
         form_fields: Iterable[str], note: str | None = None) -> DocumentTemplate:
    """Store a new version of ``kind``'s template, in the caller's transaction.

    ``based_on`` is the version the editor started from: if someone saved a newer one meanwhile, the save is
    refused (``template.stale``) rather than silently replacing their text.
    """
    if not may_edit_templates(user):
        raise DocumentProblem("template.not_legal")
    body = body.replace("\r\n", "\n")
    if found := problems(title, body, form_fields):
        first = next(iter(found.values()))
        raise DocumentProblem(first.code, fields={k: v.message("zh") for k, v in found.items()}, **first.params)
    newest = current(session, kind.code)
    version = newest.version if newest is not None else 0
    if based_on != version:
        raise DocumentProblem("template.stale", version=version)
    template = DocumentTemplate(kind=kind.code, version=version + 1, title=title.strip(), body=body,
                                note=(note or "").strip()[:300] or None, created_at=clock.now(),
                                created_by=user.username)
    session.add(template)
    session.flush()
    audit.record(session, user.username, "document.template_saved",
                 payload={"kind": kind.code, "version": template.version, "title": template.title,
                          "note": template.note})
    return template


def assert_kind(code: str) -> DocumentKind:
    kind = KINDS.get(code)
    if kind is None:
        raise DocumentProblem("document.kind")
    return kind
