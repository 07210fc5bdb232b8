"""A tick drains everything that was due at its start, batch after batch, and then ends."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from engine.runtime.cases import start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, AuditEvent, Case, WaitingTimer
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ
from tests.engine.supervisor.racing import race_two_supervisors

ACCEPT_WARN = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 05:00 Tuesday, Beijing: 受理申请's yellow
ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)   # 24:00 Tuesday: its limit
PROMISED_DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 24:00 Monday 30 November: the case's promised limit
SECOND = timedelta(seconds=1)


def _start(rt: Runtime, power, count: int) -> list[Case]:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return [start_case(rt, power.code, APPLICANT, "申请", actor="clerk") for _ in range(count)]


def _fired(rt: Runtime) -> Counter[int]:
    """How often each case's timers fired, by the audit trail."""
    with rt.reader() as s:
        return Counter(s.execute(select(AuditEvent.case_id).where(AuditEvent.action == "timer.fired")).scalars())


def _count(rt: Runtime, query) -> int:
    with rt.reader() as s:
        return s.execute(query).scalar_one()


def test_one_tick_drains_a_burst_of_every_kind_larger_than_a_batch(rt, org, power):
    cases = _start(rt, power, 7)
    [warn_at] = {c.promised_warn_at for c in cases}

    with time_machine.travel(ACCEPT_WARN + SECOND, tick=False):
        assert tick(rt, batch=3).yellow == 7  # steps' yellows (T1)
    with time_machine.travel(ACCEPT_DUE + SECOND, tick=False):
        assert tick(rt, batch=3).fired_cases == 7  # their limits: timers fire, red alerts (T2)
    assert _fired(rt) == {c.id: 1 for c in cases}
    assert _count(rt, select(func.count()).select_from(WaitingTimer)) == 0
    with time_machine.travel(warn_at + SECOND, tick=False):
        assert tick(rt, batch=3).limit_yellow == 7  # the cases' yellows before their promised limit
    with time_machine.travel(PROMISED_DUE + SECOND, tick=False):
        assert tick(rt, batch=3).limit_red == 7  # past it (T3)
    reds = select(func.count()).select_from(Alert).where(Alert.level == "red")
    assert _count(rt, reds) == 14


def test_a_tick_reads_each_due_row_once_and_ends_though_what_fails_stays_due(rt, org, power):
    cases = _start(rt, power, 5)
    # A supervisor whose every firing fails (each workflow is larger than it allows) must still finish its tick.
    failing = Runtime(rt.sessions, dataclasses.replace(rt.settings, max_case_data=1024))
    with time_machine.travel(ACCEPT_DUE + SECOND, tick=False):
        result = tick(failing, batch=2)
        assert sorted(result.failed) == sorted(c.id for c in cases)
        assert result.fired_cases == 0
        assert tick(rt, batch=2).fired_cases == 5  # still due, and fired by the next tick that can
    assert _fired(rt) == {c.id: 1 for c in cases}


def test_what_falls_due_after_the_tick_started_waits_for_the_next_tick(rt, org, power):
    early = _start(rt, power, 3)
    with time_machine.travel(MONDAY_10_BJ + timedelta(days=1), tick=False):  # due a day later
        late = [start_case(rt, power.code, APPLICANT, "申请", actor="clerk") for _ in range(3)]
    with time_machine.travel(ACCEPT_DUE + SECOND, tick=False):
        assert tick(rt, batch=2).fired_cases == 3
    assert set(_fired(rt)) == {c.id for c in early}
    with time_machine.travel(ACCEPT_DUE + timedelta(days=1, seconds=1), tick=False):
        assert tick(rt, batch=2).fired_cases == 3
    assert set(_fired(rt)) == {c.id for c in early + late}


def test_two_supervisors_share_a_burst_and_fire_each_timer_once(rt, org, power, db):
    cases = _start(rt, power, 40)
    results = race_two_supervisors(rt, db.url, ACCEPT_DUE + SECOND, batch=7)
    assert _fired(rt) == {c.id: 1 for c in cases}
    assert _count(rt, select(func.count()).select_from(Alert).where(Alert.rule == "T2")) == len(cases)
    assert sum(r.fired_cases for r in results) == len(cases)
    assert all(not r.failed for r in results)
    if db.dialect == "postgresql":
        # Neither waited for the other: each claimed cases the other did not hold (SKIP LOCKED). SQLite has one
        # writer at a time, so there one supervisor may do it all.
        assert all(r.fired_cases > 0 for r in results), [r.fired_cases for r in results]


def test_steps_past_their_deadline_whose_timers_cannot_fire_all_get_their_red_alert(rt, org, power):
    warned = _start(rt, power, 4)
    with time_machine.travel(ACCEPT_WARN + SECOND, tick=False):
        assert tick(rt, batch=2).yellow == 4
    fresh = _start(rt, power, 3)  # same deadline, no yellow yet
    # A supervisor whose clock runs ahead of the engine's: the timers are not due by the workflow's clock, so they
    # cannot fire; the steps past their deadline get their red alerts all the same, from either alert level.
    with time_machine.travel(ACCEPT_WARN + SECOND, tick=False):
        result = tick(rt, ACCEPT_DUE + SECOND, batch=2)
    assert (result.fired_cases, result.yellow, result.red) == (0, 0, 7)
    with rt.reader() as s:
        reds = s.execute(select(Alert.case_id).where(Alert.rule == "T2")).scalars().all()
    assert sorted(reds) == sorted(c.id for c in warned + fresh)


def test_two_supervisors_share_a_burst_of_yellows_and_raise_each_once(rt, org, power, db):
    cases = _start(rt, power, 20)
    results = race_two_supervisors(rt, db.url, ACCEPT_WARN + SECOND, batch=7)
    assert sum(r.yellow for r in results) == len(cases)
    with rt.reader() as s:
        yellows = Counter(s.execute(select(Alert.case_id).where(Alert.rule == "T1")).scalars())
        raised = s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "alert.yellow"))
        assert raised.scalar_one() == len(cases)
    assert yellows == {c.id: 1 for c in cases}
