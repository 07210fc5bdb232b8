"""A case that ends past its time limits before any tick saw them gets its red T3 alerts as it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.runtime.cases import complete_task, start_case
from engine.store import Alert, Case
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps

LEGAL_DUE = datetime(2026, 12, 21, 16, 0, tzinfo=UTC)  # 24:00 Monday 21 December, Beijing (20 working days)


def test_completing_past_both_limits_raises_both_alerts_with_the_completion(rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    late = LEGAL_DUE + timedelta(hours=10)
    with time_machine.travel(late, tick=False):  # no tick has run since the case started
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
        done = complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)
    assert (done.status, done.limit_alert_level) == ("completed", 2)
    with rt.reader() as s:
        stored = s.get_one(Case, case.id)
        found = s.execute(select(Alert.subject, Alert.due_at, Alert.raised_at).where(Alert.rule == "T3")
                          .order_by(Alert.id)).all()
    assert (stored.status, stored.limit_alert_level) == ("completed", 2)
    assert found == [("case:promised", case.promised_due_at, late), ("case:legal", LEGAL_DUE, late)]
    with time_machine.travel(late + timedelta(minutes=1), tick=False):
        assert tick(rt).limit_red == 0
