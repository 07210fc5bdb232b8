"""The case's legal clock stops while a step marked clock=paused (补正) is open, and its deadlines move on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.runtime.cases import complete_task, start_case
from engine.store import AuditEvent, Case, Power
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps


def bj(day: int, hour: int = 0, month: int = 11) -> datetime:
    """A moment of 2026 in Beijing time, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)



def case_row(rt, case_id: int) -> Case:
    with rt.reader() as s:
        return s.get_one(Case, case_id)


def clock_events(rt, case_id: int) -> list[tuple[str, dict]]:
    with rt.reader() as s:
        rows = s.execute(select(AuditEvent.action, AuditEvent.payload).where(
            AuditEvent.case_id == case_id, AuditEvent.action.like("case.clock_%")).order_by(AuditEvent.id))
        return [(action, payload) for action, payload in rows]


def work(rt, case_id: int, user, **values) -> None:
    [step] = open_steps(rt, case_id)
    complete_task(rt, step.id, values, user)


def test_supplement_stops_the_clock_and_the_deadlines_move_on_by_the_paused_working_days(rt, org, paused_power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, paused_power.code, APPLICANT, "申请", actor="clerk")
        work(rt, case.id, org.clerk)  # 受理: materials incomplete, the applicant is told what to add
    started = case_row(rt, case.id)
    # Five and twenty working days from Monday 23 November: Monday 30 November and Monday 21 December, 24:00.
    assert (started.promised_due_at, started.legal_due_at) == (bj(1, month=12), bj(22, month=12))
    assert started.clock_paused_at == MONDAY_10_BJ

    # The promised limit passes while the applicant is still gathering materials: nothing is late.
    with time_machine.travel(bj(2, 10, month=12), tick=False):
        assert tick(rt).limit_red == 0
    assert case_row(rt, case.id).limit_alert_level == 0

    # Materials arrive on Wednesday 2 December: seven working days (24 Nov – 2 Dec) did not count.
    with time_machine.travel(bj(2, 15, month=12), tick=False):
        work(rt, case.id, org.clerk)
    resumed = case_row(rt, case.id)
    assert resumed.clock_paused_at is None
    assert (resumed.promised_due_at, resumed.legal_due_at) == (bj(10, month=12), bj(31, month=12))
    assert [action for action, _ in clock_events(rt, case.id)] == ["case.clock_paused", "case.clock_resumed"]
    assert clock_events(rt, case.id)[1][1]["workdays"] == 7
    # Once the moved promised limit passes, the supervisor raises T3 as for any case.
    with time_machine.travel(bj(10, 9, month=12), tick=False):
        assert tick(rt).limit_red == 1


def test_a_case_that_ends_while_paused_gets_its_time_back_too(rt, org, paused_power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, paused_power.code, APPLICANT, "申请", actor="clerk")
        work(rt, case.id, org.clerk)
    # Nobody supplements: after 15 working days the application counts as withdrawn (Monday 14 December).
    with time_machine.travel(bj(15, 9, month=12), tick=False):
        tick(rt)
    ended = case_row(rt, case.id)
    assert (ended.status, ended.end_name, ended.clock_paused_at) == ("completed", "视为撤回", None)
    assert ended.promised_due_at == bj(23, month=12)  # 30 November + 16 paused working days (24 Nov – 15 Dec)
    assert clock_events(rt, case.id)[-1][1]["workdays"] == 16


def test_steps_that_run_the_clock_leave_it_alone(rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    assert case_row(rt, case.id).clock_paused_at is None
    assert clock_events(rt, case.id) == []


def test_a_limit_the_catalog_leaves_open_is_no_deadline(rt, org, paused_power):
    """Penalties have a legal limit but no promised one: the case must not count as late the next morning."""
    with rt.sessions.begin() as s:
        s.get_one(Power, paused_power.id).promised_limit_days = 0
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, paused_power.code, APPLICANT, "申请", actor="clerk")
    started = case_row(rt, case.id)
    assert (started.promised_due_at, started.legal_due_at) == (None, bj(22, month=12))
    with time_machine.travel(bj(25, 9), tick=False):
        assert tick(rt).limit_red == 0
