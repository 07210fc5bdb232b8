"""P6 — a case handled off the system or keyed in after the fact (seed 000 第二十三条, seed 004 第十二条).

Three signs, each a red alert with what was seen, none refusing the step (the department explains):

- **Registered late** (subject ``late``): a step records the application date (``application_date``, the demo
  受理 forms' 申请日期) more than ``SUNSHINE_LATE_REGISTRATION_DAYS`` working days (default 5) before the case was
  registered on the platform (``cases.created_at``): the application was handled on paper first.
- **A whole case in minutes by one person** (subject ``quick``): as a case ends, every step was completed by the
  same person, the steps lay in at least two posts (lanes), and the case took at most
  ``SUNSHINE_QUICK_CASE_MINUTES`` minutes (default 30) from registration to its end.
- **Bulk entry out of hours** (subject ``night:<username>:<date>``): a person completes their
  ``SUNSHINE_NIGHT_STEPS``-th step (default 20) between 22:00 and 06:00 Beijing time in one night; the alert goes on
  the case of that step, once per person and night.

The three thresholds may differ per power (``SUNSHINE_P6_POWER_THRESHOLDS``, docs/configuration.md): a power whose
cases are routinely done at the counter in minutes, say. Run after every step. In the daytime a step that neither
records an application date nor ends its case costs a dictionary lookup and a clock reading.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine import clock
from engine.alerts import raise_alert
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, Power, StepRecord

if TYPE_CHECKING:
    from engine.calendar import Calendar
    from engine.config import Settings
    from engine.runtime.runtime import Runtime

RULE_ID = "P6"
SOURCE = "seed 000 第二十三条; seed 004 第十二条"
LATE, QUICK, NIGHT = "late", "quick", "night"
#: The night, in Beijing hours: from 22:00 to 06:00.
NIGHT_FROM, NIGHT_UNTIL = 22, 6


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def check_late(event: StepEvent, calendar: Calendar, limit: int) -> Alert | None:
    """The ``late`` alert when the step's application date lies more than ``limit`` working days before the case
    was registered."""
    applied = _as_date(event.values.get("application_date"))
    if applied is None:
        return None
    start = datetime.combine(applied, time(12), tzinfo=clock.LOCAL_TZ)
    days = calendar.workdays_between(start, event.case.created_at)
    if days <= limit:
        return None
    details = {"applied": applied.isoformat(), "registered": clock.local(event.case.created_at).isoformat(),
               "days": days, "limit": limit, "by": event.user.username}
    return raise_alert(event.session, event.case, subject=LATE, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=details, actor=event.user.username)


def check_quick(event: StepEvent, minutes: int) -> Alert | None:
    """The ``quick`` alert for a case that just ended, all of it by one person across posts within ``minutes``."""
    case = event.case
    if case.completed_at is None:
        return None
    took = (case.completed_at - case.created_at).total_seconds() / 60
    if took > minutes:
        return None
    rows = event.session.execute(select(StepRecord.actor, StepRecord.lane).where(
        StepRecord.case_id == case.id)).all()
    actors = {actor for actor, _ in rows}
    lanes = {lane for _, lane in rows if lane}
    if len(actors) != 1 or len(lanes) < 2:
        return None
    details = {"by": next(iter(actors)), "steps": len(rows), "minutes": minutes, "took": round(took, 1),
               "posts": sorted(lanes)}
    return raise_alert(event.session, case, subject=QUICK, rule=RULE_ID, step_name=event.step_name, due_at=None,
                       details=details, actor=event.user.username)


def night_of(moment: datetime) -> datetime | None:
    """The start (22:00 Beijing, as UTC) of the night ``moment`` falls in; None in the daytime."""
    local = clock.local(moment)
    if NIGHT_UNTIL <= local.hour < NIGHT_FROM:
        return None
    day = local.date() if local.hour >= NIGHT_FROM else local.date() - timedelta(days=1)
    return datetime.combine(day, time(NIGHT_FROM), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def check_night(event: StepEvent, now: datetime, threshold: int) -> Alert | None:
    """The ``night`` alert as a person completes their ``threshold``-th step of one night."""
    began = night_of(now)
    if began is None:
        return None
    who = event.user.username
    count = int(event.session.execute(select(func.count()).select_from(StepRecord).where(
        StepRecord.actor == who, StepRecord.completed_at >= began)).scalar_one())
    if count != threshold:  # the threshold-th step raises it; the night's later ones add nothing
        return None
    night = clock.local(began).date().isoformat()
    details = {"by": who, "night": night, "count": count, "limit": threshold}
    return raise_alert(event.session, event.case, subject=f"{NIGHT}:{who}:{night}", rule=RULE_ID,
                       step_name=event.step_name, due_at=None, details=details, actor=who)


def check_step(event: StepEvent, calendar: Calendar, settings: Settings, now: datetime) -> list[Alert]:
    """Every P6 alert the completed step calls for, with the thresholds of the case's power."""
    # The power's code is read only when some power has thresholds of its own (SUNSHINE_P6_POWER_THRESHOLDS).
    code = (event.session.execute(select(Power.code).where(Power.id == event.case.power_id)).scalar()
            if settings.p6_power_thresholds else None)

    def limit(name: str) -> int:
        return settings.p6_threshold(code, name)

    found = [check_late(event, calendar, limit("late_registration_days")) if "application_date" in event.values
             else None,
             check_quick(event, limit("quick_case_minutes")),
             check_night(event, now, limit("night_steps"))]
    return [alert for alert in found if alert is not None]


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs."""

    def after_step(event: StepEvent) -> None:
        check_step(event, rt.calendar, rt.settings, clock.now())

    return after_step
