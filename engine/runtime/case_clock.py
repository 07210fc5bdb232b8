"""The case's legal clock stops while a step that pauses it is open (DESIGN §4.5).

A step marks itself with the property ``clock = paused`` (补正 waiting for the applicant's materials, 听证,
检验检测, 专家评审 …: 行政许可法 第三十二条、第四十五条, 行政处罚法 第六十条). While such a step is open the
case row carries ``clock_paused_at`` and the supervisor's case-limit alerts (T3) pass it by; when the step
closes, the promised and legal deadlines move on by the working days the pause took: the days after the one it
began on, up to and including the one it ended on. The step's own timer (the applicant's 补正 period) runs on.

The moment of the case's yellow warning before its promised limit (``promised_warn_at``, see
``engine/runtime/limits.py``, set as the case starts) moves on with the deadlines when a pause ends, unless the
warning has been raised already.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit
from engine.bpmn.model import PAUSED_CLOCK
from engine.calendar import WorkCalendar
from engine.prepared import Batch, Prepared
from engine.runtime.limits import case_warn_at
from engine.store import Case

_CASES = Case.__table__.c
#: The case row's clock columns a change may write, and the statement for each set of them.
_COLUMNS = ("clock_paused_at", "promised_due_at", "legal_due_at", "promised_warn_at")
_WRITES = {
    names: Prepared(update(Case.__table__).where(_CASES.id == bindparam("case_id"))
                    .values({name: bindparam(name) for name in names}))
    for names in (("clock_paused_at",), ("clock_paused_at", "promised_due_at", "legal_due_at"), _COLUMNS)
}


def pauses_clock(properties: Mapping[str, Any]) -> bool:
    """True when a step's properties say it stops the case's legal clock."""
    return str(properties.get("clock") or "").strip().lower() == PAUSED_CLOCK


@dataclass(frozen=True)
class ClockChange:
    """The case row's new clock values and the audit event that records the change."""

    values: dict[str, Any]
    action: str
    payload: dict[str, Any]


def change(case: Case, paused: bool, now: datetime, calendar: WorkCalendar) -> ClockChange | None:
    """What to write when a save leaves the case ``paused`` (a clock-stopping step open) or not; None if nothing.

    A case paused by staff (暂停, ``suspended_at``) stays paused whatever its steps: its resume gives the time back.
    """
    paused = paused or case.suspended_at is not None
    if paused and case.clock_paused_at is None:
        return ClockChange({"clock_paused_at": now}, "case.clock_paused", {})
    if paused or case.clock_paused_at is None:
        return None
    days = max(0, calendar.workdays_between(case.clock_paused_at, now))
    values: dict[str, Any] = {"clock_paused_at": None}
    for column in ("promised_due_at", "legal_due_at"):
        due = getattr(case, column)
        values[column] = calendar.add_workdays(due, days) if due is not None and days else due
    if days and case.promised_warn_at is not None:  # not raised yet: it moves with the limit
        values["promised_warn_at"] = case_warn_at(calendar, case.created_at, values["promised_due_at"])
    payload = {"paused_at": case.clock_paused_at, "workdays": days,
               "promised_due_at": values["promised_due_at"], "legal_due_at": values["legal_due_at"]}
    return ClockChange(values, "case.clock_resumed", payload)


def queue(session: Session, writes: Batch, case: Case, clock: ClockChange, actor: str, now: datetime) -> None:
    """Queue the case row's clock columns and the audit event; the in-session case sees the new values."""
    names = tuple(name for name in _COLUMNS if name in clock.values)
    writes.add(_WRITES[names], {**clock.values, "case_id": case.id})
    audit.queue(session, writes, actor, clock.action, case_id=case.id, payload=clock.payload, at=now)
    for key, value in clock.values.items():
        set_committed_value(case, key, value)
