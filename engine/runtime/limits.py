"""Rule T3: a case past its promised or legal time limit gets a red alert, once per limit (seed 000 第二十条(二)).

``cases.limit_alert_level`` records how far a case's limit alerts have been raised (0 none, 1 promised,
2 legal). The supervisor raises them for running cases; ``Runtime.save`` for a case that ends late before
any tick saw it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.store import Case

RULE = "T3"


class Limit(NamedTuple):
    """One of a case's time limits: the alert level it leads to, the alert's subject and its deadline column."""

    level: int
    subject: str
    column: str


#: In the order they fall due (a promised limit may not exceed the legal one).
LIMITS = (Limit(1, "case:promised", "promised_due_at"), Limit(2, "case:legal", "legal_due_at"))


def passed(case: Case, now: datetime) -> list[tuple[Limit, datetime]]:
    """The case's limits not yet alerted whose deadline has passed at ``now``, with their deadlines."""
    out = []
    for limit in LIMITS:
        due: datetime | None = getattr(case, limit.column)
        if limit.level > case.limit_alert_level and due is not None and due <= now:
            out.append((limit, due))
    return out


def level_after(case: Case, late: list[tuple[Limit, datetime]]) -> int:
    """The case's alert level once ``late`` (from ``passed``) are raised."""
    return max([case.limit_alert_level, *(limit.level for limit, _ in late)])


def raise_late(session: Session, case: Case, late: list[tuple[Limit, datetime]], *, at: datetime,
               actor: str) -> int:
    """Raise a red T3 alert for each of ``late``; returns how many were new (the caller stores the level)."""
    raised = 0
    for limit, due in late:
        if raise_alert(session, case, subject=limit.subject, rule=RULE, step_name=None, due_at=due, at=at,
                       actor=actor):
            raised += 1
    return raised
