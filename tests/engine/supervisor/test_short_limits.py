"""Rule T1 with a short limit: a one-working-day step is not yellow the moment it arrives; it warns half way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.runtime.cases import start_case
from engine.store import Alert
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, open_steps

SATURDAY_10_BJ = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
MONDAY_NOON_BJ = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def _tick_at(rt, moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return tick(rt).yellow


def test_a_step_arriving_on_saturday_due_monday_night_is_yellow_only_from_monday_noon(rt, org, power):
    with time_machine.travel(SATURDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    assert accept.due_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # workdays(1): 24:00 Monday
    assert accept.warn_at == MONDAY_NOON_BJ

    assert _tick_at(rt, SATURDAY_10_BJ + timedelta(minutes=1)) == 0  # not on arrival
    assert _tick_at(rt, MONDAY_NOON_BJ - timedelta(seconds=1)) == 0
    assert _tick_at(rt, MONDAY_NOON_BJ + timedelta(seconds=1)) == 1
    with rt.reader() as s:
        [alert] = s.execute(select(Alert)).scalars()
    assert (alert.rule, alert.level, alert.subject, alert.raised_at) == \
        ("T1", "yellow", accept.id, MONDAY_NOON_BJ + timedelta(seconds=1))


def test_a_step_first_seen_past_its_deadline_gets_only_its_red_alert(rt, org, power):
    with time_machine.travel(SATURDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    with time_machine.travel(datetime(2026, 11, 24, 3, 0, tzinfo=UTC), tick=False):  # Tuesday: past 24:00 Monday
        result = tick(rt)
    assert (result.yellow, result.fired_cases) == (0, 1)
    with rt.reader() as s:
        found = s.execute(select(Alert.rule, Alert.level).where(Alert.case_id == case.id)).all()
    assert found == [("T2", "red")]
