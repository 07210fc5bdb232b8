"""Deploy a checked flowchart as a new immutable version."""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.bpmn.lint import check_bpmn
from engine.forms import FormRegistry
from engine.runtime.errors import RuntimeProblem
from engine.store import ProcessVersion


def newest_number(process_key: str | ColumnElement[str | None]) -> ScalarSelect[int | None]:
    """The highest version number deployed under ``process_key`` (a value, or a column to correlate with)."""
    other = ProcessVersion.__table__.alias("other").c
    return select(func.max(other.version)).where(other.process_key == process_key).scalar_subquery()


def latest_version(session: Session, process_key: str) -> ProcessVersion | None:
    """The newest deployed version of a process, which new cases start on."""
    return session.execute(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key,
                                     ProcessVersion.version == newest_number(process_key))
    ).scalar_one_or_none()


def deploy(session: Session, data: bytes, filename: str, *, author: str, forms: FormRegistry,
           posts: set[str] | None = None, promised_limit_days: float | None = None,
           legal_limit_days: float | None = None, process_key: str | None = None) -> ProcessVersion:
    """Lint and store the BPMN under ``process_key`` (default: its process id); unchanged files are not redeployed.

    The catalog deploys each power's flowchart under the power's code, so powers sharing a drawing keep
    separate version lines.
    """
    report = check_bpmn(data, filename, posts=posts, form_exists=forms.exists, form_fields=forms.field_names,
                        promised_limit_days=promised_limit_days, legal_limit_days=legal_limit_days)
    if not report.ok:
        details = "; ".join(f"{p.element_id or ''} {p.message}".strip() for p in report.problems
                            if p.severity == "error") or "not executable"
        raise RuntimeProblem("bpmn.invalid", details=details)
    from engine.bpmn.parser import load_process

    loaded = load_process(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    key = process_key or loaded.process_id
    current = latest_version(session, key)
    if current is not None and current.sha256 == digest:
        return current
    number = (session.execute(select(newest_number(key))).scalar() or 0) + 1
    version = ProcessVersion(process_key=key, version=number, name=loaded.name or loaded.process_id,
                             filename=filename, bpmn_xml=data.decode("utf-8"), sha256=digest, author=author,
                             created_at=clock.now())
    session.add(version)
    session.flush()
    audit.record(session, author, "process.deploy", payload={"process": key, "version": number,
                                                              "sha256": digest})
    return version
