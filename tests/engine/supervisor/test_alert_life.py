"""Alerts end: a yellow warning closes itself when its step is done in time, or when the red alert of the same
limit takes over; red alerts stay open. Closing is an audit event and deletes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from engine.runtime.cases import complete_task, start_case
from engine.store import Alert, AuditEvent, Case
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps

ACCEPT_WARN = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 05:00 Tuesday, Beijing (half of 受理申请's day)
ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)   # 24:00 Tuesday


def _start(rt, power) -> Case:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


def _alerts(rt, case_id: int) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)).scalars())


def _closings(rt, case_id: int) -> list[tuple[str, dict]]:
    with rt.reader() as s:
        return list(s.execute(select(AuditEvent.actor, AuditEvent.payload).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "alert.closed").order_by(AuditEvent.id)).all())


def test_a_yellow_warning_closes_when_its_step_is_done_in_time(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(ACCEPT_WARN + timedelta(hours=3), tick=False):
        assert tick(rt).yellow == 1
        [yellow] = _alerts(rt, case.id)
        assert (yellow.rule, yellow.status, yellow.closed_at) == ("T1", "open", None)
    done_at = ACCEPT_WARN + timedelta(hours=4)
    with time_machine.travel(done_at, tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)

    [closed] = _alerts(rt, case.id)  # the same row: nothing deleted, nothing added
    assert (closed.id, closed.status, closed.closed_at, closed.closed_how, closed.closed_by) == \
        (yellow.id, "closed", done_at, "in_time", "system")
    assert _closings(rt, case.id) == [("system", {"alert": yellow.id, "rule": "T1", "subject": accept.id,
                                                  "level": "yellow", "how": "in_time"})]
    with time_machine.travel(done_at + timedelta(minutes=1), tick=False):
        assert tick(rt).yellow == 0  # the next step's warning is not due yet; the closed one stays closed


def test_a_red_alert_takes_over_from_the_yellow_and_stays_open(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(ACCEPT_WARN + timedelta(seconds=1), tick=False):
        tick(rt)
    with time_machine.travel(ACCEPT_DUE + timedelta(seconds=30), tick=False):
        tick(rt)  # the limit's timer fires: red
    yellow, red = _alerts(rt, case.id)
    assert (yellow.level, yellow.status, yellow.closed_how, yellow.closed_at) == \
        ("yellow", "closed", "escalated", ACCEPT_DUE + timedelta(seconds=30))
    assert (red.rule, red.status, red.closed_at) == ("T2", "open", None)

    # Completing the late step later closes nothing more: the red alert's duty is not the platform's to end.
    with time_machine.travel(ACCEPT_DUE + timedelta(hours=3), tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "迟到的受理"}, org.clerk)
    assert [(a.rule, a.status) for a in _alerts(rt, case.id)] == [("T1", "closed"), ("T2", "open")]
    assert [payload["how"] for _, payload in _closings(rt, case.id)] == ["escalated"]


def test_a_finished_case_leaves_no_open_yellow_warning(rt, org, power):
    case = _start(rt, power)
    with time_machine.travel(ACCEPT_WARN + timedelta(seconds=1), tick=False):
        tick(rt)
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
    # 审核 (three working days) warns at 24:00 Thursday; done on Friday morning, before its 24:00 Friday limit.
    with time_machine.travel(review.warn_at + timedelta(hours=2), tick=False):
        assert tick(rt).yellow == 1
        done = complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)
    assert done.status == "completed"
    with rt.reader() as s:
        still_open = s.execute(select(func.count()).select_from(Alert).where(
            Alert.case_id == case.id, Alert.level == "yellow", Alert.status == "open")).scalar()
        total = s.execute(select(func.count()).select_from(Alert).where(Alert.case_id == case.id)).scalar()
    assert (still_open, total) == (0, 2)
