"""The case's yellow warning one working day before its promised limit (seed 004 第九条(一)): raised once by the
tick however many supervisors race, half way through a limit of a day or less, closed when the case ends in
time, taken over by the red T3 alert when it does not, and moved on with the limit while the clock is paused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.runtime.cases import complete_task, start_case
from engine.store import Alert, Case, Power
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps
from tests.engine.supervisor.racing import race_two_supervisors

# 「测试许可」 promises 5 working days from Monday 23 November 2026: 24:00 Monday 30 November, Beijing.
PROMISED_DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
PROMISED_WARN = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 24:00 Friday 27 November


def _start(rt, power) -> Case:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


def _tick_at(rt, moment: datetime):
    with time_machine.travel(moment, tick=False):
        return tick(rt)


def _case_alerts(rt, case_id: int) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.case_id == case_id, Alert.subject == "case:promised")
                              .order_by(Alert.id)).scalars())


def _stored(rt, case_id: int) -> Case:
    with rt.reader() as s:
        return s.get_one(Case, case_id)


def test_one_working_day_before_the_promised_limit_the_case_turns_yellow_once(rt, org, power):
    case = _start(rt, power)
    assert _stored(rt, case.id).promised_warn_at == PROMISED_WARN

    assert _tick_at(rt, PROMISED_WARN - timedelta(seconds=1)).limit_yellow == 0
    version = _stored(rt, case.id).version
    assert _tick_at(rt, PROMISED_WARN + timedelta(seconds=1)).limit_yellow == 1
    assert _tick_at(rt, PROMISED_WARN + timedelta(hours=1)).limit_yellow == 0  # once is enough
    [alert] = _case_alerts(rt, case.id)
    assert (alert.rule, alert.level, alert.status, alert.step_name, alert.due_at, alert.message) == \
        ("T1", "yellow", "open", None, PROMISED_DUE, "办件将于 2026-11-30 24:00 到达承诺办结时限（黄灯预警）")
    stored = _stored(rt, case.id)
    # Raised: out of the warning index; the case's version untouched, so staff working it are not refused.
    assert (stored.promised_warn_at, stored.limit_alert_level, stored.version) == (None, 0, version)

    # Past the limit the red T3 alert takes over from it.
    assert _tick_at(rt, PROMISED_DUE + timedelta(seconds=1)).limit_red == 1
    yellow, red = _case_alerts(rt, case.id)
    assert (yellow.status, yellow.closed_how, red.rule, red.status) == ("closed", "escalated", "T3", "open")


def test_a_promised_limit_of_one_working_day_warns_half_way(rt, org, power):
    with rt.sessions.begin() as s:
        s.get_one(Power, power.id).promised_limit_days = 1
    case = _start(rt, power)  # Monday 10:00, promised by 24:00 Tuesday
    warn = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 05:00 Tuesday: half of 38 hours of working time
    assert _stored(rt, case.id).promised_warn_at == warn
    assert _tick_at(rt, MONDAY_10_BJ + timedelta(minutes=1)).limit_yellow == 0  # not on arrival
    assert _tick_at(rt, warn + timedelta(seconds=1)).limit_yellow == 1


def test_a_case_first_seen_past_its_promised_limit_gets_only_the_red_alert(rt, org, power):
    case = _start(rt, power)
    result = _tick_at(rt, PROMISED_DUE + timedelta(seconds=1))
    assert (result.limit_yellow, result.limit_red) == (0, 1)
    assert [(a.rule, a.level) for a in _case_alerts(rt, case.id)] == [("T3", "red")]


def test_two_supervisors_racing_raise_each_case_warning_once(rt, org, power, db):
    cases = [_start(rt, power) for _ in range(12)]
    results = race_two_supervisors(rt, db.url, PROMISED_WARN + timedelta(seconds=1))
    assert sum(r.limit_yellow for r in results) == len(cases)
    assert sorted(a.case_id for c in cases for a in _case_alerts(rt, c.id)) == sorted(c.id for c in cases)


def test_a_case_that_ends_in_time_closes_its_warning(rt, org, power):
    case = _start(rt, power)
    _tick_at(rt, PROMISED_WARN + timedelta(seconds=1))
    with time_machine.travel(PROMISED_WARN + timedelta(hours=20), tick=False):  # Saturday; due 24:00 Monday
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
        complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)
    [alert] = _case_alerts(rt, case.id)
    assert (alert.status, alert.closed_how, alert.closed_at) == \
        ("closed", "in_time", PROMISED_WARN + timedelta(hours=20))
    assert _stored(rt, case.id).limit_alert_level == 0



def test_no_warning_while_the_clock_is_paused_and_it_moves_on_with_the_limit(rt, org, paused_power):
    case = _start(rt, paused_power)
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {}, org.clerk)  # 补正: the clock stops
    assert _tick_at(rt, PROMISED_WARN + timedelta(seconds=1)).limit_yellow == 0
    # Materials arrive on Wednesday 2 December: seven working days did not count (promised: 24:00 9 December).
    with time_machine.travel(datetime(2026, 12, 2, 7, 0, tzinfo=UTC), tick=False):
        [supplement] = open_steps(rt, case.id)
        complete_task(rt, supplement.id, {}, org.clerk)
    resumed = _stored(rt, case.id)
    assert resumed.promised_due_at == datetime(2026, 12, 9, 16, 0, tzinfo=UTC)
    assert resumed.promised_warn_at == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    assert _tick_at(rt, datetime(2026, 12, 8, 15, 0, tzinfo=UTC)).limit_yellow == 0
    assert _tick_at(rt, datetime(2026, 12, 8, 16, 1, tzinfo=UTC)).limit_yellow == 1
