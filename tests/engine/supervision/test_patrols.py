"""Patrols (巡查): recorded with what was looked at; a region's duty raises W1 once per deadline missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine import clock
from engine.rules.registry import BY_ID, tick_rules
from engine.store import AuditEvent, Case, Department, Region
from engine.store.oversight import Patrol, PatrolLapse
from engine.supervision.patrols import LookedAt, PatrolProblem, duties_in, patrols_in, record_patrol, set_duty
from engine.supervision.scope import scope_of
from engine.supervisor.tick import tick
from tests.engine.supervision.test_scope import user


def bj(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of 2026 in Beijing time (hour 8 or later), as UTC."""
    return datetime(2026, month, day, hour - 8, minute, tzinfo=UTC) if hour >= 8 else \
        datetime(2026, month, day - 1, hour + 16, minute, tzinfo=UTC)


def _id(rt, model, code: str) -> int:
    with rt.reader() as s:
        return s.execute(select(model.id).where(model.code == code)).scalar_one()


def _lapses(rt, region_id: int) -> list[PatrolLapse]:
    with rt.reader() as s:
        return list(s.execute(select(PatrolLapse).where(PatrolLapse.region_id == region_id)
                              .order_by(PatrolLapse.due_at)).scalars())


def test_a_county_supervisor_records_a_patrol_of_the_county(rt):
    county, dept = _id(rt, Region, "519921"), _id(rt, Department, "XMZJ")
    with rt.reader() as s:
        [case_id] = s.execute(select(Case.id).where(Case.department_id == dept)).scalars().all()
    with rt.sessions.begin() as s:
        patrol = record_patrol(s, user(rt, "xian_jiancha"), looked=LookedAt((dept,), (), (case_id,)),
                               findings="抽查高龄津贴办件一件，运行正常。")
    assert (patrol.region_id, patrol.department_id, patrol.supervisor) == (county, None, "xian_jiancha")
    assert patrol.looked_at == {"departments": [dept], "powers": [], "cases": [case_id]}
    with rt.reader() as s:
        listed = patrols_in(s, scope_of(s, user(rt, "xian_jiancha")))
        city_listed = patrols_in(s, scope_of(s, user(rt, "jiancha")))
        [event] = s.execute(select(AuditEvent).where(AuditEvent.action == "patrol.recorded")).scalars().all()
    assert [p.id for p in listed] == [patrol.id]
    assert patrol.id in [p.id for p in city_listed] and len(city_listed) == 2  # with the demo's city patrol
    assert event.actor == "xian_jiancha" and event.payload["cases"] == [case_id]


@pytest.mark.parametrize(("looked", "findings", "field"), [
    ("county", "   ", "findings"),
    ("nothing", "已巡查", "departments"),
    ("city", "已巡查", "departments"),
    ("city_case", "已巡查", "cases"),
])
def test_a_patrol_outside_the_scope_or_without_findings_is_refused(rt, looked, findings, field):
    county_dept, city_dept = _id(rt, Department, "XMZJ"), _id(rt, Department, "MZJ")
    with rt.reader() as s:
        city_case = s.execute(select(Case.id).where(Case.department_id == city_dept).limit(1)).scalar_one()
    what = {"county": LookedAt((county_dept,)), "nothing": LookedAt(), "city": LookedAt((city_dept,)),
            "city_case": LookedAt((), (), (city_case,))}[looked]
    with pytest.raises(PatrolProblem) as refused, rt.sessions.begin() as s:
        record_patrol(s, user(rt, "xian_jiancha"), looked=what, findings=findings)
    assert refused.value.field == field and refused.value.message("zh") and refused.value.message("en")
    with rt.reader() as s:
        assert s.execute(select(Patrol.id).where(Patrol.supervisor == "xian_jiancha")).first() is None


def test_a_department_office_patrols_its_department_within_its_region(rt):
    dept = _id(rt, Department, "SCJGJ")
    with rt.sessions.begin() as s:
        patrol = record_patrol(s, user(rt, "scjg_jiancha"), looked=LookedAt((dept,)), findings="部门日常巡查")
    assert patrol.department_id == dept and patrol.region_id == _id(rt, Region, "519900")
    with pytest.raises(PatrolProblem), rt.sessions.begin() as s:  # the office sets no region's duty
        set_duty(s, user(rt, "scjg_jiancha"), _id(rt, Region, "519900"), 1)


def test_a_missed_patrol_duty_raises_w1_once_per_deadline(rt):
    county = _id(rt, Region, "519921")
    assert BY_ID["W1"] in tick_rules()
    with rt.sessions.begin() as s:  # Monday 2 November, 09:00: at least once every 2 working days
        set_duty(s, user(rt, "jiancha"), county, 2, at=bj(11, 2, 9))
    tick(rt, bj(11, 4, 23, 59))  # Wednesday 23:59: still within the limit (Wednesday 24:00)
    assert _lapses(rt, county) == []
    tick(rt, bj(11, 5, 0, 1))
    tick(rt, bj(11, 5, 0, 2))  # a second tick (or a second supervisor) raises nothing more
    [missed] = _lapses(rt, county)
    assert missed.due_at == bj(11, 5, 0) and missed.last_patrol_at is None
    with time_machine.travel(bj(11, 5, 10), tick=False), rt.sessions.begin() as s:
        record_patrol(s, user(rt, "xian_jiancha"), looked=LookedAt((_id(rt, Department, "XMZJ"),)),
                      findings="补巡查")
    with rt.reader() as s:
        [duty] = [d for d in duties_in(s, scope_of(s, user(rt, "xian_jiancha")), rt.calendar)]
    # From Thursday's patrol: Friday 6 and Monday 9 November, so due Monday 24:00.
    assert duty.due_at == bj(11, 10, 0) and duty.last_patrol_at == bj(11, 5, 10) and duty.lapses == 1
    tick(rt, bj(11, 9, 23, 0))
    assert len(_lapses(rt, county)) == 1
    tick(rt, bj(11, 10, 0, 5))
    assert [m.due_at for m in _lapses(rt, county)] == [bj(11, 5, 0), bj(11, 10, 0)]
    with rt.reader() as s:
        events = list(s.execute(select(AuditEvent).where(AuditEvent.action == "patrol.duty_missed")).scalars())
    assert [e.payload["region_id"] for e in events] == [county, county]


def test_a_department_office_s_patrol_does_not_discharge_the_region_s_duty(rt):
    city = _id(rt, Region, "519900")
    start = clock.now()  # after the demo's own city patrol
    with rt.sessions.begin() as s:
        set_duty(s, user(rt, "jiancha"), city, 1, at=start)
    with time_machine.travel(start + timedelta(hours=1), tick=False), rt.sessions.begin() as s:
        record_patrol(s, user(rt, "scjg_jiancha"), looked=LookedAt((_id(rt, Department, "SCJGJ"),)),
                      findings="部门日常巡查")
    due = rt.calendar.add_workdays(start, 1)
    tick(rt, due + timedelta(minutes=1))
    assert [m.due_at for m in _lapses(rt, city)] == [due]


def test_a_duty_is_set_only_within_the_scope_and_within_its_bounds(rt):
    with pytest.raises(PatrolProblem), rt.sessions.begin() as s:
        set_duty(s, user(rt, "xian_jiancha"), _id(rt, Region, "519900"), 1)  # the city is above the county
    with pytest.raises(PatrolProblem) as bad, rt.sessions.begin() as s:
        set_duty(s, user(rt, "jiancha"), _id(rt, Region, "519921"), 61)
    assert bad.value.field == "every_workdays"


def test_twice_every_working_day_as_the_seed_asks_needs_two_patrols_in_each_working_day(rt):
    # Seed 003 第十一条(二): a county office patrols its own platform twice or more every working day.
    county = _id(rt, Region, "519921")
    with rt.sessions.begin() as s:  # Monday 2 November, 08:00
        set_duty(s, user(rt, "jiancha"), county, 1, times=2, at=bj(11, 2, 8))
    for hour in (9, 15):  # Monday: two patrols
        with time_machine.travel(bj(11, 2, hour), tick=False), rt.sessions.begin() as s:
            record_patrol(s, user(rt, "xian_jiancha"), looked=LookedAt((_id(rt, Department, "XMZJ"),)),
                          findings="日常巡查")
    with time_machine.travel(bj(11, 3, 10), tick=False), rt.sessions.begin() as s:  # Tuesday: only one
        record_patrol(s, user(rt, "xian_jiancha"), looked=LookedAt((_id(rt, Department, "XMZJ"),)),
                      findings="日常巡查")
    with rt.reader() as s:
        [duty] = duties_in(s, scope_of(s, user(rt, "xian_jiancha")), rt.calendar)
    # The second-latest patrol is Monday 15:00: the working day after it ends Tuesday 24:00.
    assert (duty.times, duty.due_at) == (2, bj(11, 4, 0))
    tick(rt, bj(11, 3, 23, 59))
    assert _lapses(rt, county) == []
    tick(rt, bj(11, 4, 0, 1))
    assert [m.due_at for m in _lapses(rt, county)] == [bj(11, 4, 0)]
    with pytest.raises(PatrolProblem) as bad, rt.sessions.begin() as s:
        set_duty(s, user(rt, "jiancha"), county, 1, times=0)
    assert bad.value.field == "times"
