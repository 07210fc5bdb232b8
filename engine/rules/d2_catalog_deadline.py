"""D2 — a catalog adjustment or its publication past its limit (seed 003 阿坝州办法 第十八—二十条).

A catalog change (``catalog_changes``, reviewed as a case of ``processes/catalog_review.bpmn``) has three limits, in
working days:

- ``apply``: the department applies within 20 of the triggering law's publication (第十八条): from
  ``trigger_published_on`` to ``submitted_at``;
- ``review``: the platform's office gives its opinion within 10 of the application (第十九条): from ``submitted_at``
  to the review case's first completed 法制审核 (``legal_review``);
- ``publish``: the department publishes within 15 of the government's approval (第二十条): from ``decided_at`` to
  ``published_at``.

The nightly sweep raises a red alert on the change's review case for each limit passed — still open, or met late —
once per change and limit (subject: the limit's name), addressed to the department that owed it (the change's for
``apply`` and ``publish``, the review case's for ``review``). Rejected and withdrawn changes, and changes without a
review case, are passed by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine import clock
from engine.alerts import raise_alert
from engine.store import Case, CatalogChange, Power, StepRecord

if TYPE_CHECKING:
    from engine.calendar import Calendar
    from engine.runtime.runtime import Runtime

RULE_ID = "D2"
SOURCE = "seed 003 阿坝州办法 第十八条、第十九条、第二十条"
ENDED = ("rejected", "withdrawn")


@dataclass(frozen=True)
class Limit:
    name: str
    days: int
    zh: str
    en: str


APPLY = Limit("apply", 20, "提出调整申请", "applying for the adjustment")
REVIEW = Limit("review", 10, "审核", "the review")
PUBLISH = Limit("publish", 15, "更新公布目录", "publishing the catalog")


@dataclass(frozen=True)
class Passed:
    """A limit passed: which, its due moment, when it was met (None: not yet), and who owed it."""

    limit: Limit
    due: datetime
    done: datetime | None
    department_id: int


@dataclass(frozen=True)
class _Row:
    change_id: int
    kind: str
    department_id: int
    trigger_published_on: date | None
    submitted_at: datetime | None
    decided_at: datetime | None
    published_at: datetime | None
    status: str
    review_case_id: int
    review_department_id: int
    name: str
    reviewed_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def passed(row: _Row, calendar: Calendar, now: datetime) -> list[Passed]:
    """The limits of one change passed at ``now``."""
    found = []

    def check(limit: Limit, start: datetime | None, done: datetime | None, department_id: int) -> None:
        if start is None:
            return
        due = calendar.add_workdays(start, limit.days)
        if (done or now) > due:
            found.append(Passed(limit, due, done, department_id))

    if row.trigger_published_on is not None:
        check(APPLY, datetime.combine(row.trigger_published_on, time(12), clock.LOCAL_TZ), _aware(row.submitted_at),
              row.department_id)
    check(REVIEW, _aware(row.submitted_at), _aware(row.reviewed_at), row.review_department_id)
    if row.status in ("approved", "published"):
        check(PUBLISH, _aware(row.decided_at), _aware(row.published_at), row.department_id)
    return found


def _rows(session: Any) -> list[_Row]:
    reviewed = (select(StepRecord.case_id, func.min(StepRecord.completed_at).label("at"))
                .where(StepRecord.bpmn_id == "legal_review").group_by(StepRecord.case_id).subquery())
    rows = session.execute(
        select(CatalogChange.id, CatalogChange.kind, CatalogChange.department_id, CatalogChange.trigger_published_on,
               CatalogChange.submitted_at, CatalogChange.decided_at, CatalogChange.published_at, CatalogChange.status,
               CatalogChange.review_case_id, Case.department_id, Power.name, reviewed.c.at)
        .join(Case, Case.id == CatalogChange.review_case_id).join(Power, Power.id == CatalogChange.power_id)
        .outerjoin(reviewed, reviewed.c.case_id == CatalogChange.review_case_id)
        .where(CatalogChange.status.not_in(ENDED)).order_by(CatalogChange.id)).all()
    return [_Row(*row) for row in rows]


@dataclass(frozen=True)
class _OnCase:
    id: int
    department_id: int


def sweep(rt: Runtime, now: datetime) -> int:
    """Raise D2 for every catalog change past a limit; the alerts raised."""
    raised = 0
    with rt.sessions.begin() as session:
        for row in _rows(session):
            for found in passed(row, rt.calendar, now):
                details = {"change": row.change_id, "kind": row.kind, "name": row.name, "stage": found.limit.zh,
                           "stage_en": found.limit.en, "days": found.limit.days,
                           "done": found.done.isoformat() if found.done else None}
                alert = raise_alert(session, _OnCase(row.review_case_id, found.department_id),
                                    subject=found.limit.name, rule=RULE_ID, step_name=None, due_at=found.due, at=now,
                                    details=details)
                raised += alert is not None
    return raised
