"""A timer marked clock = applicant measures the applicant's time (the 补正 period): it moves the case when it
expires, as modelled, but raises neither a yellow nor a red alert against the department."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.runtime.cases import complete_task, start_case
from engine.runtime.deploy import deploy
from engine.store import Alert, AuditEvent, Case, Power
from engine.store.case import NO_ALERTS
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, open_steps

# 15 working days from Monday 23 November 2026, 11:00: 24:00 Monday 14 December, Beijing.
SUPPLEMENT_DUE = datetime(2026, 12, 14, 16, 0, tzinfo=UTC)


@pytest.fixture
def supplement_power(rt, org) -> Power:
    """受理 → 接收补正材料 (clock=paused; its 15-working-day timer marked clock=applicant, then withdrawn) → 审核."""
    with rt.sessions.begin() as s:
        deploy(s, (HERE / "fixtures" / "applicant_time.bpmn").read_bytes(), "applicant_time.bpmn", author="legal",
               forms=rt.forms, posts={"受理", "审核"})
        power = Power(code="510000-CSJ-XK-003", name="补正期限", category="license", department_id=org.department.id,
                      process_key="test_applicant_time", legal_limit_days=20, promised_limit_days=5)
        s.add(power)
        return power


def _at_supplement(rt, org, power) -> Case:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    with time_machine.travel(MONDAY_10_BJ + timedelta(hours=1), tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {}, org.clerk)  # the applicant is told to supplement
    return case


def _step_alerts(rt, case_id: int) -> list[tuple[str, str, str | None]]:
    with rt.reader() as s:
        return list(s.execute(select(Alert.rule, Alert.level, Alert.step_name)
                              .where(Alert.case_id == case_id, Alert.subject.not_like("case:%"))).all())


def test_the_applicants_period_is_shown_but_never_alerts_and_still_ends_the_case(rt, org, supplement_power):
    case = _at_supplement(rt, org, supplement_power)
    [supplement] = open_steps(rt, case.id)
    assert (supplement.name, supplement.due_at) == ("接收补正材料", SUPPLEMENT_DUE)
    assert (supplement.warn_at, supplement.alert_level) == (None, NO_ALERTS)

    with time_machine.travel(SUPPLEMENT_DUE - timedelta(hours=1), tick=False):
        assert (tick(rt).yellow, tick(rt).red) == (0, 0)  # a working day before the applicant's deadline
    with time_machine.travel(SUPPLEMENT_DUE + timedelta(seconds=5), tick=False):
        result = tick(rt)
        assert (result.fired_cases, result.yellow, result.red) == (1, 0, 0)

    with rt.reader() as s:
        ended = s.get_one(Case, case.id)
        fired = s.execute(select(AuditEvent.step).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "timer.fired")).scalars().all()
    assert (ended.status, ended.end_name) == ("completed", "视为撤回")  # the modelled path
    assert fired == ["接收补正材料"]
    assert _step_alerts(rt, case.id) == []  # (受理申请 was done within the hour)


def test_the_department_limits_around_it_still_alert(rt, org, supplement_power):
    case = _at_supplement(rt, org, supplement_power)
    with time_machine.travel(MONDAY_10_BJ + timedelta(days=2), tick=False):
        [supplement] = open_steps(rt, case.id)
        complete_task(rt, supplement.id, {}, org.clerk)  # materials received: 审核, three working days
    [review] = open_steps(rt, case.id)
    assert review.alert_level == 0 and review.warn_at is not None
    with time_machine.travel(review.due_at + timedelta(seconds=5), tick=False):
        tick(rt)
    assert ("T2", "red", "审核") in _step_alerts(rt, case.id)
    assert "接收补正材料" not in {name for _, _, name in _step_alerts(rt, case.id)}
