"""Patrols (巡查): a supervisor records each round of checks; each region may have a patrol duty, and a missed one
is an alert (rule W1).

Seed 003 第十一条(二) sets the frequency per level (the 监察厅 patrols the provincial platform at least once per
working day, a city office its own twice and its counties once, a county office its own twice); 阿坝州办法 第四十、
四十一条 the same for departments and platform offices. The frequency here is a region's duty: **at least K patrols
every N working days** (twice every working day: K = 2, N = 1), set by a supervisor of the region or above
(``set_duty``).

W1 runs in the supervisor's tick (``duty_tick``, registered in ``engine/rules/registry.py``): for each duty, the
deadline is N working days after the latest of the duty's start, the region's K-th latest patrol (so that any N
working days hold K patrols) and the last deadline missed; once it has passed, a ``PatrolLapse`` row records it, once
per (region, deadline) however many supervisors tick, with the audit event ``patrol.duty_missed``. A lapse is a
region's alert, not a case's: ``alerts`` rows each belong to a case, so lapses have their own table, listed on
电子监察 and counted by the dashboard. Patrols by a department's own supervision office are recorded with their
department; they do not discharge the region's duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.store import Case, Department, Power, Region, User
from engine.store.oversight import Patrol, PatrolDuty, PatrolLapse
from engine.supervision.scope import Scope, scope_of

if TYPE_CHECKING:
    from engine.calendar import WorkCalendar
    from engine.runtime.runtime import Runtime

RULE_ID = "W1"
SOURCE = "seed 003 第十一条(二)"
#: The longest findings text kept.
FINDINGS_MAX = 4000
#: The most working days a duty may leave between patrols.
DUTY_MAX = 60
#: The most patrols a duty may ask for in its period.
TIMES_MAX = 20
#: Deadlines one tick raises at most per region (a supervisor down for weeks catches up over a few ticks).
CATCH_UP = 20


class PatrolProblem(ValueError):
    """A patrol or duty that cannot be recorded; ``field`` names the form field, ``zh``/``en`` say why."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class LookedAt:
    """What a patrol looked at: departments, powers and cases, by id."""

    departments: tuple[int, ...] = ()
    powers: tuple[int, ...] = ()
    cases: tuple[int, ...] = ()

    def as_json(self) -> dict[str, list[int]]:
        return {"departments": sorted(set(self.departments)), "powers": sorted(set(self.powers)),
                "cases": sorted(set(self.cases))}


def _check_looked_at(session: Session, scope: Scope, looked: LookedAt) -> None:
    departments = dict(session.execute(select(Department.id, Department.id).where(
        Department.id.in_(looked.departments))).all()) if looked.departments else {}
    if any(d not in departments or not scope.has_department(d) for d in looked.departments):
        raise PatrolProblem("departments", "所选部门不在您的监察范围内。", "A chosen department is outside your scope.")
    if looked.powers:
        found = dict(session.execute(select(Power.id, Power.department_id).where(Power.id.in_(looked.powers))).all())
        if any(p not in found or not scope.has_department(found[p]) for p in looked.powers):
            raise PatrolProblem("powers", "所选事项不在您的监察范围内。", "A chosen power is outside your scope.")
    if looked.cases:
        found = dict(session.execute(select(Case.id, Case.department_id).where(Case.id.in_(looked.cases))).all())
        if any(c not in found or not scope.has_department(found[c]) for c in looked.cases):
            raise PatrolProblem("cases", "所填办件不存在或不在您的监察范围内。",
                                "A case given does not exist or is outside your scope.")


def record_patrol(session: Session, user: User, *, looked: LookedAt, findings: str,
                  patrolled_at: datetime | None = None, region_id: int | None = None) -> Patrol:
    """Record a patrol by supervisor ``user`` of their region (or ``region_id`` below it), or of their department
    when they sit in a department's supervision office; an audit event ``patrol.recorded``."""
    scope = scope_of(session, user)
    findings = (findings or "").strip()
    if not findings:
        raise PatrolProblem("findings", "请填写巡查发现（没有问题也请写明“未发现问题”）。",
                            "Enter the findings (write “nothing found” when nothing was).")
    if len(findings) > FINDINGS_MAX:
        raise PatrolProblem("findings", f"巡查发现不能超过 {FINDINGS_MAX} 字。",
                            f"The findings may not exceed {FINDINGS_MAX} characters.")
    if not (looked.departments or looked.powers or looked.cases):
        raise PatrolProblem("departments", "请至少选择一个巡查的部门、事项或办件。",
                            "Choose at least one department, power or case looked at.")
    now = clock.now()
    patrolled_at = patrolled_at or now
    if patrolled_at > now:
        raise PatrolProblem("patrolled_at", "巡查时间不能晚于现在。", "The patrol cannot be in the future.")
    department_id = scope.department_id
    if department_id is not None:
        region_id = session.get_one(Department, department_id).region_id
    elif region_id is None:
        region_id = scope.region_id
    if region_id is None:  # a platform-wide supervisor names the region patrolled
        raise PatrolProblem("region", "请选择巡查的地区。", "Choose the region patrolled.")
    if session.get(Region, region_id) is None or (department_id is None and not scope.has_region(region_id)):
        raise PatrolProblem("region", "所选地区不在您的监察范围内。", "The region chosen is outside your scope.")
    _check_looked_at(session, scope, looked)
    patrol = Patrol(region_id=region_id, department_id=department_id, supervisor=user.username,
                    patrolled_at=patrolled_at, recorded_at=now, looked_at=looked.as_json(), findings=findings)
    session.add(patrol)
    session.flush()
    audit.record(session, user.username, "patrol.recorded", at=now,
                 payload={"patrol": patrol.id, "region_id": region_id, "department_id": department_id,
                          "patrolled_at": patrolled_at.isoformat(), **looked.as_json()})
    return patrol


def patrols_in(session: Session, scope: Scope, *, region_id: int | None = None, limit: int = 100) -> list[Patrol]:
    """The scope's patrols (of one region when ``region_id`` is given), newest first (a department office's: those of
    its department)."""
    query = select(Patrol).order_by(Patrol.patrolled_at.desc(), Patrol.id.desc()).limit(limit)
    if region_id is not None:
        query = query.where(Patrol.region_id == region_id)
    if scope.department_id is not None:
        query = query.where(Patrol.department_id == scope.department_id)
    elif scope.region_ids is not None:
        query = query.where(Patrol.region_id.in_(sorted(scope.region_ids)))
    return list(session.execute(query).scalars())


def set_duty(session: Session, user: User, region_id: int, every_workdays: int, *, times: int = 1,
             at: datetime | None = None) -> PatrolDuty:
    """Require at least ``times`` patrols of ``region_id`` every ``every_workdays`` working days, from now; 0 days
    removes the duty. Only a supervisor whose scope holds the region sets it; an audit event ``patrol.duty_set``."""
    scope = scope_of(session, user)
    if scope.department_id is not None or not scope.has_region(region_id) or session.get(Region, region_id) is None:
        raise PatrolProblem("region", "所选地区不在您的监察范围内。", "The region chosen is outside your scope.")
    if not 0 <= every_workdays <= DUTY_MAX:
        raise PatrolProblem("every_workdays", f"巡查周期应为 1 至 {DUTY_MAX} 个工作日（0 表示取消）。",
                            f"The period must be 1 to {DUTY_MAX} working days (0 removes the duty).")
    if not 1 <= times <= TIMES_MAX:
        raise PatrolProblem("times", f"每个周期的巡查次数应为 1 至 {TIMES_MAX} 次。",
                            f"The patrols per period must be 1 to {TIMES_MAX}.")
    at = at or clock.now()
    duty = session.get(PatrolDuty, region_id)
    if every_workdays == 0:
        if duty is not None:
            session.delete(duty)
    elif duty is None:
        duty = PatrolDuty(region_id=region_id, every_workdays=every_workdays, times=times, since=at,
                          set_by=user.username)
        session.add(duty)
    else:
        duty.every_workdays, duty.times, duty.since, duty.set_by = every_workdays, times, at, user.username
    session.flush()
    audit.record(session, user.username, "patrol.duty_set", at=at,
                 payload={"region_id": region_id, "every_workdays": every_workdays, "times": times})
    return duty  # type: ignore[return-value]


@dataclass(frozen=True)
class DutyState:
    """A region's duty as the patrol page shows it."""

    region_id: int
    region: str
    every_workdays: int
    times: int
    last_patrol_at: datetime | None
    due_at: datetime
    lapses: int

    def missed(self, now: datetime) -> bool:
        return now >= self.due_at


def _last_patrol(session: Session, region_id: int) -> datetime | None:
    return session.execute(select(func.max(Patrol.patrolled_at)).where(
        Patrol.region_id == region_id, Patrol.department_id.is_(None))).scalar_one()


def _kth_last_patrol(session: Session, region_id: int, k: int) -> datetime | None:
    """The region's own k-th latest patrol (k = 1: the last one), None when it has had fewer."""
    return session.execute(select(Patrol.patrolled_at).where(
        Patrol.region_id == region_id, Patrol.department_id.is_(None))
        .order_by(Patrol.patrolled_at.desc()).offset(k - 1).limit(1)).scalar()


def _next_due(session: Session, duty: PatrolDuty, calendar: WorkCalendar) -> tuple[datetime, datetime | None]:
    """The duty's next deadline, and the region's last patrol.

    The deadline runs from the K-th latest patrol: by then the N working days since it must hold K patrols again.
    """
    last = _last_patrol(session, duty.region_id)
    kth = last if duty.times <= 1 else _kth_last_patrol(session, duty.region_id, duty.times)
    last_lapse = session.execute(select(func.max(PatrolLapse.due_at)).where(
        PatrolLapse.region_id == duty.region_id)).scalar_one()
    start = max(m for m in (duty.since, kth, last_lapse) if m is not None)
    return calendar.add_workdays(start, duty.every_workdays), last


def duties_in(session: Session, scope: Scope, calendar: WorkCalendar) -> list[DutyState]:
    """The duties of the scope's regions, with their next deadline."""
    query = select(PatrolDuty, Region.name).join(Region, Region.id == PatrolDuty.region_id).order_by(Region.code)
    if scope.region_ids is not None:
        query = query.where(PatrolDuty.region_id.in_(sorted(scope.region_ids)))
    out = []
    for duty, name in session.execute(query):
        due, last = _next_due(session, duty, calendar)
        lapses = session.execute(select(func.count()).select_from(PatrolLapse).where(
            PatrolLapse.region_id == duty.region_id)).scalar_one()
        out.append(DutyState(duty.region_id, name, duty.every_workdays, duty.times, last, due, lapses))
    return out


def lapses_in(session: Session, scope: Scope, *, limit: int = 50) -> list[Any]:
    """The scope's missed patrols, newest first, with their region's name."""
    query = (select(PatrolLapse, Region.name).join(Region, Region.id == PatrolLapse.region_id)
             .order_by(PatrolLapse.due_at.desc()).limit(limit))
    if scope.region_ids is not None:
        query = query.where(PatrolLapse.region_id.in_(sorted(scope.region_ids)))
    return list(session.execute(query))


def duty_tick(rt: Runtime, now: datetime) -> int:
    """Rule W1: record each patrol deadline missed by ``now``; how many were recorded. A tick with nothing due only
    reads the few duty rows."""
    raised = 0
    with rt.reader() as s:
        due = [d.region_id for d in s.execute(select(PatrolDuty)).scalars()
               if now >= _next_due(s, d, rt.calendar)[0]]
    for region_id in due:
        for _ in range(CATCH_UP):
            if not _raise_lapse(rt, region_id, now):
                break
            raised += 1
    return raised


def _raise_lapse(rt: Runtime, region_id: int, now: datetime) -> bool:
    try:
        with rt.sessions.begin() as s:
            duty = s.get(PatrolDuty, region_id)
            if duty is None:
                return False
            due, last = _next_due(s, duty, rt.calendar)
            if now < due:
                return False
            # Another supervisor may record the same deadline at once: the unique (region, due_at) keeps one.
            s.add(PatrolLapse(region_id=region_id, due_at=due, raised_at=now, last_patrol_at=last))
            s.flush()
            audit.record(s, "supervisor", "patrol.duty_missed", at=now,
                         payload={"rule": RULE_ID, "region_id": region_id, "due_at": due.isoformat(),
                                  "every_workdays": duty.every_workdays,
                                  "last_patrol_at": last.isoformat() if last else None})
            return True
    except IntegrityError:
        return False
