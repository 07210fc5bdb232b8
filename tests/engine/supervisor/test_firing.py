"""What firing a step's limit leaves behind: the audit events, alerts and index rows the case's history relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine import audit
from engine.runtime.cases import start_case
from engine.store import Alert, AuditEvent, Case, OpenTask, WaitingTimer
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps

ACCEPT_WARN = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 05:00 Tuesday, Beijing: 受理申请's yellow
ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)   # 24:00 Tuesday: its limit
FIRED_AT = ACCEPT_DUE + timedelta(seconds=30)


def test_a_fired_limit_records_its_event_its_red_alert_and_closes_the_yellow(rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, case.id)
    with time_machine.travel(ACCEPT_WARN + timedelta(seconds=1), tick=False):
        tick(rt)
    with time_machine.travel(FIRED_AT, tick=False):
        assert tick(rt).fired_cases == 1

    with rt.reader() as s:
        events = [(e.actor, e.action, e.step, e.payload, e.at) for e in s.execute(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)).scalars()]
        yellow, red = s.execute(select(Alert).where(Alert.case_id == case.id).order_by(Alert.id)).scalars()
        step = s.execute(select(OpenTask).where(OpenTask.case_id == case.id)).scalar_one()
        timers = s.execute(select(WaitingTimer).where(WaitingTimer.case_id == case.id)).scalars().all()
        stored = s.get_one(Case, case.id)
        assert audit.verify(s).ok
    due = str(ACCEPT_DUE)  # as the payload holds it
    assert events[1:] == [
        ("supervisor", "alert.yellow", "受理申请", {"rule": "T1", "subject": accept.id, "due_at": due},
         ACCEPT_WARN + timedelta(seconds=1)),
        ("supervisor", "timer.fired", "受理申请",
         {"timer": "accept_limit", "fire_at": due, "interrupting": False}, FIRED_AT),
        ("supervisor", "alert.red", "受理申请", {"rule": "T2", "subject": accept.id, "due_at": due}, FIRED_AT),
        ("system", "alert.closed", "受理申请", {"alert": yellow.id, "rule": "T1", "subject": accept.id,
                                               "level": "yellow", "how": "escalated"}, FIRED_AT),
    ]
    assert (yellow.rule, yellow.status, yellow.closed_at, yellow.closed_how, yellow.closed_by) == \
        ("T1", "closed", FIRED_AT, "escalated", "system")
    assert (red.rule, red.level, red.subject, red.step_name, red.due_at, red.raised_at, red.status, red.details,
            red.department_id, red.message) == \
        ("T2", "red", accept.id, "受理申请", ACCEPT_DUE, FIRED_AT, "open", None, org.department.id,
         "「受理申请」已超过办理时限 2026-11-24 24:00（红灯报警）")
    # A non-interrupting limit: the step waits on, flagged red; the timer is gone; the workflow was saved once.
    assert (step.id, step.alert_level) == (accept.id, 2)
    assert timers == []
    assert stored.version == case.version + 1
