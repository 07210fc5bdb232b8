"""What the case page and a step's page show about documents (read-only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.access import intake_of
from engine.documents.issuing import corrected_by, documents_of, may_issue
from engine.documents.kinds import KINDS, DocumentKind, kinds_for
from engine.documents.requirement import required, unmet
from engine.store import Case, User
from engine.store.documents import Document


@dataclass
class CaseDocuments:
    documents: list[Document]
    #: Document id → the document correcting it.
    corrected: dict[int, Document]
    may_issue: bool
    kinds: list[DocumentKind] = field(default_factory=lambda: list(KINDS.values()))


@dataclass(frozen=True)
class Requirement:
    """One group of a step's ``requiresDocument``: its kinds (one of them is enough) and whether it is met."""

    kinds: list[DocumentKind]
    met: bool


def case_documents(session: Session, user: User, case: Case) -> CaseDocuments:
    """The case's documents, and what the user may issue (the kinds of its kind of case: no 行政处罚决定书 for a
    licence)."""
    documents = documents_of(session, case.id)
    return CaseDocuments(documents, corrected_by(documents), may_issue(session, user, case),
                         kinds_for(intake_of(case.power.category).kind))


def step_properties(specs: Iterable[Any], bpmn_id: str) -> dict[str, Any]:
    """The ``spiffworkflow:properties`` of the step ``bpmn_id`` in the given parsed process specs."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == bpmn_id:
                return dict((getattr(task_spec, "extensions", None) or {}).get("properties") or {})
    return {}


def step_requirements(session: Session, case_id: int, bpmn_id: str, properties: dict[str, Any]) -> list[Requirement]:
    missing = unmet(session, case_id, bpmn_id, properties)
    return [Requirement([KINDS[k] for k in group if k in KINDS], group not in missing)
            for group in required(properties)]
