"""One timeline of a case: its steps, operations, documents, files and alerts, oldest first.

Built from what the case already records, never from a table of its own: the finished steps (``step_records``),
every audit event of the case's stream (registration, operations such as 退回 / 暂停 / 恢复, uploaded files, issued
documents, corrections …) and the alerts raised on it. An event the platform does not know yet still appears
under its action code, so a new operation shows on the case page the day it first writes an audit event.

Events that repeat another source are left out: ``task.complete`` is the step record itself, and ``alert.*`` the
alert row (which says more: the rule's text, the state it reached).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store import Alert, AuditEvent, StepRecord

#: Audit actions already shown through another source (see the module's docstring).
REPEATED = frozenset({"task.complete", "alert.yellow", "alert.red", "alert.closed"})

#: What kind of entry an audit action is, by its prefix or whole code: the page draws each kind its own way.
# (An alert's own entries come from its row; other alert.* events — its life's stages — are drawn as operations.)
_KINDS = (("document.", "document"), ("file.", "file"), ("timer.", "timer"),
          ("case.start", "start"), ("case.complete", "end"))


def kind_of(action: str) -> str:
    """``document``, ``file``, ``alert``, ``timer``, ``start``, ``end`` or ``operation`` (anything else)."""
    return next((kind for prefix, kind in _KINDS if action.startswith(prefix)), "operation")


@dataclass(frozen=True)
class Entry:
    """One moment of the case.

    ``kind`` is ``step`` (a finished step), ``alert`` (an alert raised), ``alert_closed`` or what ``kind_of`` says
    of an audit event; ``action`` is the audit action (``step.done`` / ``alert.raised`` / ``alert.closed`` for the
    other two sources), ``step`` the step's name when there is one, ``detail`` what the page may show of it
    (an event's payload), ``source`` the row it comes from.
    """

    at: datetime
    kind: str
    action: str
    actor: str | None = None
    step: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    source: Any = field(default=None, compare=False, repr=False)
    #: Ties at the same moment keep the order the sources were written in (step, then its events, then alerts).
    order: tuple[int, int] = (0, 0)


def build(history: Iterable[StepRecord], events: Iterable[AuditEvent], alerts: Iterable[Alert]) -> list[Entry]:
    """The entries of one case's records, oldest first (newest last)."""
    out: list[Entry] = []
    for h in history:
        out.append(Entry(h.completed_at, "step", "step.done", h.actor, h.name,
                         {"lane": h.lane, "due_at": h.due_at, "overdue": bool(h.due_at and h.completed_at > h.due_at),
                          "opinion": (h.data or {}).get("opinion")}, h, (1, h.id)))
    for e in events:
        if e.action in REPEATED:
            continue
        out.append(Entry(e.at, kind_of(e.action), e.action, e.actor, e.step, dict(e.payload or {}), e, (2, e.id)))
    for a in alerts:
        out.append(Entry(a.raised_at, "alert", "alert.raised", None, a.step_name,
                         {"level": a.level, "rule": a.rule, "status": a.status}, a, (3, a.id)))
        if a.closed_at is not None:
            out.append(Entry(a.closed_at, "alert_closed", "alert.closed", a.closed_by, a.step_name,
                             {"level": a.level, "how": a.closed_how}, a, (4, a.id)))
    return sorted(out, key=_key)


def _key(entry: Entry) -> tuple[float, tuple[int, int]]:
    at = entry.at
    # Stored times are UTC; a driver may hand them back naive (SQLite) or aware (PostgreSQL).
    stamp = at.timestamp() if at.tzinfo is not None else at.replace(tzinfo=UTC).timestamp()
    return stamp, entry.order


def timeline(session: Session, case_id: int) -> list[Entry]:
    """The timeline of ``case_id`` read from the database (three indexed reads)."""
    return build(
        session.execute(select(StepRecord).where(StepRecord.case_id == case_id).order_by(StepRecord.id)).scalars(),
        session.execute(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)).scalars(),
        session.execute(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)).scalars())
