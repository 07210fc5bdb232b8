"""A step that may complete only once a document was issued: the step property ``requiresDocument``.

Its value names document kinds (``engine.documents.kinds``): ``licence_grant,delivery_receipt`` needs both,
``acceptance|supplement|non_acceptance`` needs one of them (whichever the step decides). A document counts when it
was issued for the case after the same step last completed (so on a loop, 受理 again after 补正, the earlier
round's notice does not count) — at the step, from the case page, or as a correction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.documents.errors import DocumentProblem
from engine.documents.kinds import KINDS
from engine.store import StepRecord
from engine.store.documents import Document

PROPERTY = "requiresDocument"


def required(properties: Mapping[str, Any]) -> list[list[str]]:
    """The requirement as a list of alternatives: every group must be met by one kind of it."""
    value = str(properties.get(PROPERTY) or "").strip()
    groups = [[k.strip() for k in group.split("|") if k.strip()] for group in re.split(r"[,，、\s]+", value)]
    return [g for g in groups if g]


def _titles(group: list[str], lang: str) -> str:
    if lang == "en":
        return " or ".join(f"a {KINDS[k].english}" if k in KINDS else k for k in group)
    return "或".join(f"《{KINDS[k].title}》" if k in KINDS else k for k in group)


def unmet(session: Session, case_id: int, bpmn_id: str, properties: Mapping[str, Any]) -> list[list[str]]:
    """The groups of the step's requirement no document of the case meets yet."""
    groups = required(properties)
    if not groups:
        return []
    since: datetime | None = session.execute(
        select(func.max(StepRecord.completed_at)).where(StepRecord.case_id == case_id,
                                                        StepRecord.bpmn_id == bpmn_id)).scalar()
    query = select(Document.kind).where(Document.case_id == case_id)
    if since is not None:
        query = query.where(Document.issued_at > since)
    issued = set(session.execute(query).scalars())
    return [g for g in groups if not issued & set(g)]


def check(session: Session, case_id: int, bpmn_id: str, step_name: str, properties: Mapping[str, Any]) -> None:
    """Refuse the step (``document.required``) while a document it requires is missing."""
    if missing := unmet(session, case_id, bpmn_id, properties):
        raise DocumentProblem("document.required", step=step_name,
                              titles="、".join(_titles(g, "zh") for g in missing),
                              titles_en=" and ".join(_titles(g, "en") for g in missing))


def check_task(session: Session, case_id: int, step_name: str, task: Any) -> None:
    """``check`` for a SpiffWorkflow task about to be completed (its spec's ``spiffworkflow:properties``)."""
    spec = task.task_spec
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    if PROPERTY in properties:
        check(session, case_id, spec.bpmn_id, step_name, properties)
