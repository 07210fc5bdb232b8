"""The supervisor tick: timers fire on time, yellow before red, each alert exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, AuditEvent, Case, OpenTask, WaitingTimer
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps
from tests.engine.supervisor.racing import race_two_supervisors

# 受理申请 arrives Monday 10:00 with one working day: due 24:00 Tuesday. A limit this short warns half way
# through its working time (38 hours: Monday 10:00–24:00 and Tuesday), not one working day before its end.
ACCEPT_WARN = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)   # 05:00 Tuesday, Beijing
ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)    # 24:00 Tuesday, Beijing


def _alerts(rt: Runtime) -> list[tuple[str, str, str]]:
    with rt.sessions() as s:
        return [(a.rule, a.level, a.step_name) for a in s.execute(select(Alert).order_by(Alert.id)).scalars()]


def _start(rt: Runtime, power) -> Case:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


def test_nothing_happens_before_the_warning_moment(rt, org, power):
    _start(rt, power)
    with time_machine.travel(ACCEPT_WARN - timedelta(seconds=1), tick=False):
        result = tick(rt)
    assert (result.fired_cases, result.yellow, result.red) == (0, 0, 0)
    assert _alerts(rt) == []


def test_yellow_before_the_limit_then_red_when_it_passes(rt, org, power):
    case = _start(rt, power)

    with time_machine.travel(ACCEPT_WARN + timedelta(seconds=1), tick=False):
        assert tick(rt).yellow == 1
        assert tick(rt).yellow == 0  # idempotent: once is enough
    assert _alerts(rt) == [("T1", "yellow", "受理申请")]

    # Within one tick of the limit (default tick 30 s) the timer fires and the red alert is recorded.
    with time_machine.travel(ACCEPT_DUE + timedelta(seconds=30), tick=False):
        result = tick(rt)
        assert (result.fired_cases, result.red) == (1, 0)  # red came with the firing itself
        tick(rt)
    assert _alerts(rt) == [("T1", "yellow", "受理申请"), ("T2", "red", "受理申请")]
    with rt.sessions() as s:
        # A non-interrupting limit only alerts: the step is still waiting for the clerk, now flagged red.
        [task] = s.execute(select(OpenTask).where(OpenTask.case_id == case.id)).scalars().all()
        assert (task.name, task.alert_level) == ("受理申请", 2)
        assert s.execute(select(func.count()).select_from(WaitingTimer)).scalar() == 0
        fired = s.execute(select(AuditEvent).where(AuditEvent.action == "timer.fired")).scalars().all()
        assert [e.step for e in fired] == ["受理申请"]


def test_an_interrupting_limit_moves_the_case_along_the_modelled_path(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(MONDAY_10_BJ + timedelta(hours=1), tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    # 审核 has an interrupting workdays(3) limit: Monday 11:00 → 24:00 Thursday.
    review_due = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    with time_machine.travel(review_due + timedelta(seconds=5), tick=False):
        assert tick(rt).fired_cases == 1
    with rt.sessions() as s:
        stored = s.get(Case, case.id)
        assert (stored.status, stored.end_name) == ("completed", "超期移交督办")
    assert open_steps(rt, case.id) == []
    assert ("T2", "red", "审核") in _alerts(rt)


def test_a_timer_due_while_staff_act_still_raises_its_red_alert(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(ACCEPT_DUE + timedelta(hours=2), tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "迟到的受理"}, org.clerk)  # before any tick ran
        tick(rt)
    assert ("T2", "red", "受理申请") in _alerts(rt)


def test_two_supervisors_racing_fire_each_timer_once(rt, org, power, db):
    cases = [_start(rt, power) for _ in range(12)]
    race_two_supervisors(rt, db.url, ACCEPT_DUE + timedelta(seconds=1))
    with rt.sessions() as s:
        fired = s.execute(select(AuditEvent.case_id).where(AuditEvent.action == "timer.fired")).scalars().all()
        reds = s.execute(select(func.count()).select_from(Alert).where(Alert.rule == "T2")).scalar()
    assert sorted(fired) == sorted(c.id for c in cases)
    assert reds == len(cases)
