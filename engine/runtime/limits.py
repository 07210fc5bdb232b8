"""When time limits warn and alert: the yellow warning's moment (T1, steps and the case), and rule T3.

**The yellow warning** of a limit running from ``arrived`` to ``due`` falls at the later of two moments:
``lead`` working days before ``due`` (the power's ``warn_workdays`` for steps, one working day for the case:
seed 004 第九条(一)), and half way through the limit in working time. A long limit warns one working day before
its end, as always; a limit of a working day or two warns half way, never on arrival: a step that arrives on
Saturday and is due Monday 24:00 warns at Monday noon. Working time here is the time of working days on the
official calendar, whole days, as deadlines are counted (a working day runs from 00:00 to 24:00).

**Rule T3:** a case past its promised or legal time limit gets a red alert, once per limit (seed 000 第二十条(二)).
``cases.limit_alert_level`` records how far a case's limit alerts have been raised (0 none, 1 promised,
2 legal). The supervisor raises them for running cases; ``Runtime.save`` for a case that ends late before
any tick saw it. The case's yellow (rule T1 on the subject ``case:promised``) is due at ``cases.promised_warn_at``,
which is cleared when it is raised; a red on the promised limit takes over from it (``alerts.RULES``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.calendar import WorkCalendar
from engine.clock import LOCAL_TZ
from engine.store import Alert, Case

RULE = "T3"
#: The rule of every yellow warning before a limit, a step's or the case's.
WARNING_RULE = "T1"
#: The case's yellow warning comes this many working days before its promised limit (seed 004 第九条(一)).
CASE_WARN_WORKDAYS = 1.0
PROMISED = "case:promised"

_DAY = timedelta(days=1)


class Limit(NamedTuple):
    """One of a case's time limits: the alert level it leads to, the alert's subject and its deadline column."""

    level: int
    subject: str
    column: str


#: In the order they fall due (a promised limit may not exceed the legal one).
LIMITS = (Limit(1, PROMISED, "promised_due_at"), Limit(2, "case:legal", "legal_due_at"))


# -- the yellow warning's moment ------------------------------------------------------------------


def warn_at(calendar: WorkCalendar, arrived: datetime, due: datetime, lead_workdays: float) -> datetime:
    """When the yellow warning of a limit from ``arrived`` to ``due`` falls due (see the module's docstring)."""
    if due <= arrived:
        return due
    early = calendar.minus_workdays(due, lead_workdays)
    # Half way comes later than ``lead`` days before the end only when the limit is shorter than twice the lead.
    half = halfway(calendar, arrived, due, most=timedelta(days=2 * lead_workdays))
    return early if half is None else max(early, half)


def halfway(calendar: WorkCalendar, start: datetime, end: datetime, most: timedelta | None = None) -> datetime | None:
    """The moment half the working time from ``start`` to ``end`` has passed (``end`` when there is none);
    None when there is more than ``most`` of it."""
    segments: list[tuple[datetime, timedelta]] = []
    total = timedelta(0)
    day = start.astimezone(LOCAL_TZ).date()
    while (begin := _midnight(day)) < end:
        if calendar.is_workday(day):
            lo, hi = max(begin, start), min(_midnight(day + _DAY), end)
            if hi > lo:
                segments.append((lo, hi - lo))
                total += hi - lo
                if most is not None and total > most:
                    return None
        day += _DAY
    left = total / 2
    for lo, length in segments:
        if left <= length:
            return lo + left
        left -= length
    return end


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def case_warn_at(calendar: WorkCalendar, created_at: datetime, promised_due_at: datetime | None) -> datetime | None:
    """When a case's yellow warning before its promised limit falls due; None without a promised limit."""
    if promised_due_at is None:
        return None
    return warn_at(calendar, created_at, promised_due_at, CASE_WARN_WORKDAYS)


# -- the case's yellow warning --------------------------------------------------------------------


def warning_due(case: Case, now: datetime) -> bool:
    """True when the case's yellow warning is due at ``now`` and nothing has been raised on its limits yet.

    Not when its promised limit has passed too: the red alert says more, and comes in the same tick.
    """
    return (case.limit_alert_level == 0 and case.promised_warn_at is not None and case.promised_warn_at <= now
            and case.promised_due_at is not None and now < case.promised_due_at)


def raise_warning(session: Session, case: Case, *, at: datetime, actor: str) -> Alert | None:
    """Raise the case's yellow warning before its promised limit (the caller clears ``promised_warn_at``)."""
    return raise_alert(session, case, subject=PROMISED, rule=WARNING_RULE, step_name=None,
                       due_at=case.promised_due_at, at=at, actor=actor)


# -- rule T3 --------------------------------------------------------------------------------------


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
