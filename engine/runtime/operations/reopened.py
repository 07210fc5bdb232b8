"""What a step's form opens with beyond what the case holds: the user's draft (暂存), or, on a step reopened by a
return (退回), the answers its handler gave last time (their step record; their own opinion and reason only to them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from engine.forms import Form
from engine.runtime.operations.drafts import draft_of
from engine.runtime.stepforms import OWN_WORDS, initial_values
from engine.store import OpenTask, StepRecord, User

DRAFT, RETURNED = "draft", "returned"


def reopened_values(session: Session, step: OpenTask, user: User, form: Form, values: dict[str, Any],
                    history: Iterable[StepRecord]) -> tuple[dict[str, Any], str | None]:
    """``values`` (what the case holds) overlaid with the draft or the earlier answers (from the case's ``history``,
    which the page has loaded); and which of them, if any. One read: the draft."""
    names = {f.name for f in form.fields}
    draft = draft_of(session, step.id, user.id, step.created_at)
    if draft is not None:
        return {**values, **{k: v for k, v in draft.data.items() if k in names}}, DRAFT
    if step.returned_reason is None:
        return values, None
    record = next((r for r in reversed(list(history)) if r.task_id == step.id), None)
    if record is None:
        return values, None
    earlier = initial_values(form, record.data or {})
    if record.actor == user.username:  # their own words too
        earlier.update({k: str(v) for k, v in (record.data or {}).items() if k in OWN_WORDS and k in names and v})
    return {**values, **earlier}, RETURNED
