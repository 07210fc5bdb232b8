"""Issuing documents through the engine's API over the demo (its licence case waits at 受理)."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from engine.documents.issuing import Issued, issue
from engine.files.storage import local_storage
from engine.runtime.runtime import Runtime
from engine.store import Case, OpenTask, User
from engine.store.documents import Document


def user(s: Any, username: str) -> User:
    return s.execute(select(User).where(User.username == username)).scalar_one()


def licence_at_accept(rt: Runtime) -> tuple[int, str]:
    """The demo's licence case still at 受理: (case id, its step's id)."""
    with rt.reader() as s:
        step = s.execute(select(OpenTask).join(Case, Case.id == OpenTask.case_id)
                         .where(OpenTask.bpmn_id == "accept").order_by(Case.id)).scalars().first()
        return step.case_id, step.id


def issue_as(rt: Runtime, username: str, case_id: int, kind: str, **kwargs: Any) -> Issued:
    with rt.sessions.begin() as s:
        return issue(s, rt, local_storage(rt.settings.files_dir), user(s, username), case_id, kind, **kwargs)


def pdf_text(rt: Runtime, number: str) -> str:
    """The issued PDF's text as pypdf extracts it, with the line breaks and spaces of the layout taken out."""
    with rt.reader() as s:
        key = s.execute(select(Document.sha256).where(Document.number == number)).scalar_one()
    pdf = local_storage(rt.settings.files_dir).read(key)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\s\u3000]+", "", text)
