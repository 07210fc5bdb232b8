"""暂停 / 恢复 on a legal ground: every timer, step deadline and case limit stops and moves on by the paused working
days, across the 2026 National Day holiday; nothing fires or can be worked meanwhile; P9 alerts a pause too long."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.runtime.errors import RuntimeProblem
from engine.runtime.operations import OperationRefused
from engine.runtime.operations.claims import claim
from engine.runtime.operations.suspension import alert_long_pauses, resume, suspend
from engine.store import Alert
from engine.supervisor.tick import tick
from tests.engine.runtime.operations.conftest import (
    ACCEPT,
    bj,
    case_row,
    events,
    new_licence,
    step,
    timers,
    user,
    work,
)


def test_a_pause_across_national_day_moves_every_due_moment_by_the_paused_working_days(rt):
    # Registered on Monday 28 September 10:00: 受理 is due in one working day (Tuesday 29 September 24:00), the
    # promised limit of 10 working days falls on Friday 16 October (10 October is a make-up working Saturday), the
    # legal one of 20 on Friday 30 October.
    case = new_licence(rt, bj(9, 28, 10))
    accept = step(rt, case.id)
    assert accept.due_at == bj(9, 30)
    started = case_row(rt, case.id)
    assert (started.promised_due_at, started.legal_due_at) == (bj(10, 17), bj(10, 31))
    warn_before = accept.warn_at

    clerk = user(rt, "shouli")
    with time_machine.travel(bj(9, 29, 10), tick=False):
        suspend(rt, case.id, clerk, "testing", "样品送检验机构检测")
    paused = case_row(rt, case.id)
    assert paused.suspended_at == bj(9, 29, 10) and paused.clock_paused_at == bj(9, 29, 10)
    assert step(rt, case.id).due_at is None  # off the clock: no alert falls due
    [event] = events(rt, case.id, "case.paused")
    assert (event.payload["ground"], event.payload["ground_code"], event.payload["reason"]) == (
        "检验检测", "testing", "样品送检验机构检测")

    # The holiday passes and 受理's limit with it: nothing fires, nothing is late, nothing can be worked.
    with time_machine.travel(bj(10, 8, 10), tick=False):
        tick(rt)
    assert step(rt, case.id).id == accept.id
    with rt.reader() as s:
        assert s.execute(select(Alert).where(Alert.case_id == case.id)).scalars().all() == []
    with pytest.raises(RuntimeProblem) as refused:
        work(rt, case.id, "shouli", ACCEPT, bj(10, 8, 11))
    assert refused.value.code == "case.suspended"

    # Resumed on Friday 9 October: three working days were paused (30 September, 8 and 9 October), so each moment
    # moves on by three working days.
    with time_machine.travel(bj(10, 9, 10), tick=False):
        resume(rt, case.id, clerk)
    resumed = case_row(rt, case.id)
    assert resumed.suspended_at is None and resumed.clock_paused_at is None
    accept = step(rt, case.id)
    assert accept.due_at == bj(10, 10)  # 受理: Friday 9 October 24:00
    assert accept.warn_at == rt.calendar.add_workdays(warn_before, 3)
    assert [(t.bpmn_id, t.fire_at) for t in timers(rt, case.id)] == [("accept_time_limit", bj(10, 10))]
    # Promised: 16 October + 3 → Wednesday 21 October; legal: 30 October + 3 → Wednesday 4 November.
    assert (resumed.promised_due_at, resumed.legal_due_at) == (bj(10, 22), bj(11, 5))
    [event] = events(rt, case.id, "case.resumed")
    assert event.payload["workdays"] == 3
    assert [t["fire_at"] for t in event.payload["timers"]] == [str(bj(10, 10))]
    assert [a for a, in [(e.action,) for e in events(rt, case.id, "case.clock_")]] == [
        "case.clock_paused", "case.clock_resumed"]

    # The shifted timer fires at its new moment, not before.
    with time_machine.travel(bj(10, 9, 23), tick=False):
        assert tick(rt).red == 0
    with time_machine.travel(bj(10, 10, 0, 1), tick=False):
        tick(rt)
    with rt.reader() as s:
        [alert] = s.execute(select(Alert).where(Alert.case_id == case.id, Alert.rule == "T2")).scalars().all()
    assert alert.due_at == bj(10, 10)
    # And the case works on.
    work(rt, case.id, "shouli", ACCEPT, bj(10, 10, 9))
    assert step(rt, case.id).bpmn_id == "handle"


def test_a_pause_needs_a_known_ground_and_for_other_grounds_a_reason(rt):
    case = new_licence(rt, bj(11, 23, 10))
    clerk = user(rt, "shouli")
    with pytest.raises(OperationRefused) as refused:
        suspend(rt, case.id, clerk, "", "")
    assert refused.value.fields == {"ground": "suspend.ground"}
    with pytest.raises(OperationRefused) as refused:
        suspend(rt, case.id, clerk, "other", "")
    assert refused.value.fields == {"reason": "op.reason_required"}
    with pytest.raises(OperationRefused) as refused:
        suspend(rt, case.id, user(rt, "mz_shouli"), "hearing", "")
    assert refused.value.code == "op.not_allowed"
    with pytest.raises(OperationRefused) as refused:
        resume(rt, case.id, clerk)
    assert refused.value.code == "resume.not_suspended"
    with time_machine.travel(bj(11, 23, 11), tick=False):
        suspend(rt, case.id, clerk, "hearing", "")
    with pytest.raises(OperationRefused) as refused:
        suspend(rt, case.id, clerk, "hearing", "")
    assert refused.value.code == "suspend.already"
    # Claims still work on a paused case (who will work it is no deadline).
    claim(rt, step(rt, case.id).id, clerk)


def test_a_pause_longer_than_its_grounds_maximum_raises_p9_once(rt, monkeypatch):
    monkeypatch.setenv("SUNSHINE_PAUSE_LIMITS", "site_check=2")
    case = new_licence(rt, bj(11, 23, 10))
    with time_machine.travel(bj(11, 23, 11), tick=False):
        suspend(rt, case.id, user(rt, "shouli"), "site_check", "现场核查")
    # Two working days: Wednesday 25 November 24:00.
    assert alert_long_pauses(rt, bj(11, 25, 23)) == 0
    with time_machine.travel(bj(11, 26, 9), tick=False):
        tick(rt)
    assert alert_long_pauses(rt, bj(11, 26, 10)) == 0  # once only
    with rt.reader() as s:
        [alert] = s.execute(select(Alert).where(Alert.case_id == case.id, Alert.rule == "P9")).scalars().all()
    assert (alert.level, alert.due_at) == ("red", bj(11, 26))
    assert "现场核查" in alert.message and "2 个工作日" in alert.message


def test_a_pause_during_supplement_moves_the_applicants_period_and_leaves_the_clock_to_the_supplement(rt):
    # 受理 asks for materials on Monday 23 November 11:00: the applicant has 15 working days (to Monday 14 December
    # 24:00) and the case's clock stops while they gather them.
    case = new_licence(rt, bj(11, 23, 10))
    work(rt, case.id, "shouli", {**ACCEPT, "application_date": "2026-11-23", "accept_result": "supplement",
                                 "material_layout": "false", "supplement_list": "经营场所平面布局图",
                                 "reason": "缺少平面布局图"}, bj(11, 23, 11))
    supplement = step(rt, case.id)
    assert supplement.bpmn_id == "supplement" and supplement.due_at == bj(12, 15)
    assert case_row(rt, case.id).clock_paused_at == bj(11, 23, 11)

    clerk = user(rt, "shouli")
    with time_machine.travel(bj(11, 24, 10), tick=False):
        suspend(rt, case.id, clerk, "announcement", "公示")
    with time_machine.travel(bj(11, 26, 10), tick=False):
        resume(rt, case.id, clerk)
    # Two working days paused (25 and 26 November): the applicant's period ends on Wednesday 16 December instead.
    assert step(rt, case.id).due_at == bj(12, 17)
    assert [t.fire_at for t in timers(rt, case.id)] == [bj(12, 17)]
    # The supplement still stops the clock: the case's limits wait for it to close.
    still = case_row(rt, case.id)
    assert still.clock_paused_at == bj(11, 23, 11) and still.promised_due_at == bj(12, 8)

    # Materials arrive on Friday 27 November: the four working days since 23 November are given back once.
    work(rt, case.id, "shouli", {"supplement_received_date": "2026-11-27", "supplement_received": "true",
                                 "supplement_complete": "true", "opinion": "已补正"}, bj(11, 27, 10))
    resumed = case_row(rt, case.id)
    assert resumed.clock_paused_at is None and resumed.promised_due_at == bj(12, 12)
