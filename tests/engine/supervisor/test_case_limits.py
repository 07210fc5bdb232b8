"""Rule T3: a running case past its promised, then its legal time limit gets one red alert for each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine import alerts
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, Case
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps
from tests.engine.supervisor.racing import race_two_supervisors

# 「测试许可」 promises 5 and allows 20 working days from Monday 23 November 2026 (no holidays in between).
PROMISED_DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 24:00 Monday 30 November, Beijing
LEGAL_DUE = datetime(2026, 12, 21, 16, 0, tzinfo=UTC)     # 24:00 Monday 21 December, Beijing


def _start(rt: Runtime, power) -> Case:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


def _limit_alerts(rt: Runtime) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.rule == "T3").order_by(Alert.id)).scalars())


def _tick_at(rt: Runtime, moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return tick(rt).limit_red


def _stored(rt: Runtime, case_id: int) -> Case:
    with rt.reader() as s:
        return s.get_one(Case, case_id)


def test_a_case_past_its_promised_then_its_legal_limit_gets_one_red_alert_for_each(rt, org, power):
    case = _start(rt, power)
    assert (case.promised_due_at, case.legal_due_at) == (PROMISED_DUE, LEGAL_DUE)

    assert _tick_at(rt, PROMISED_DUE - timedelta(seconds=1)) == 0
    assert _tick_at(rt, PROMISED_DUE + timedelta(seconds=1)) == 1  # (the step's own timer fired too)
    version = _stored(rt, case.id).version
    assert _tick_at(rt, PROMISED_DUE + timedelta(hours=1)) == 0  # once is enough
    assert _tick_at(rt, LEGAL_DUE + timedelta(seconds=1)) == 1
    assert _tick_at(rt, LEGAL_DUE + timedelta(days=1)) == 0

    found = [(a.subject, a.level, a.step_name, a.due_at, a.message) for a in _limit_alerts(rt)]
    assert found == [
        ("case:promised", "red", None, PROMISED_DUE, "办件已超过承诺办结时限 2026-11-30 24:00（红灯报警）"),
        ("case:legal", "red", None, LEGAL_DUE, "办件已超过法定办结时限 2026-12-21 24:00（红灯报警）"),
    ]
    promised, legal = _limit_alerts(rt)
    assert alerts.describe(promised, "en", "2026-11-30 24:00") == \
        "The case is past its promised time limit 2026-11-30 24:00 (red alert)"
    assert alerts.describe(legal, "en", "2026-12-21 24:00") == \
        "The case is past its legal time limit 2026-12-21 24:00 (red alert)"
    stored = _stored(rt, case.id)
    # The level moved without the optimistic lock's version: staff working the case were never refused.
    assert (stored.limit_alert_level, stored.version) == (2, version)


def test_a_case_first_seen_past_its_legal_limit_gets_both_alerts_in_one_tick(rt, org, power):
    case = _start(rt, power)
    assert _tick_at(rt, LEGAL_DUE + timedelta(seconds=1)) == 2
    assert [a.subject for a in _limit_alerts(rt)] == ["case:promised", "case:legal"]
    assert _stored(rt, case.id).limit_alert_level == 2


def test_finished_cases_are_never_alerted_by_the_tick(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(MONDAY_10_BJ + timedelta(hours=1), tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
        complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)
    assert _tick_at(rt, LEGAL_DUE + timedelta(days=1)) == 0
    assert _limit_alerts(rt) == []
    assert _stored(rt, case.id).limit_alert_level == 0


def test_two_supervisors_racing_raise_each_limit_alert_once(rt, org, power, db):
    cases = [_start(rt, power) for _ in range(12)]
    results = race_two_supervisors(rt, db.url, PROMISED_DUE + timedelta(seconds=1))
    assert sum(r.limit_red for r in results) == len(cases)
    assert sorted(a.case_id for a in _limit_alerts(rt)) == sorted(c.id for c in cases)
    assert {_stored(rt, c.id).limit_alert_level for c in cases} == {1}
