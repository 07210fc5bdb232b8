"""撤回, 终止 and 并案 end a case cleanly: no open step or timer left, status and end name set, limits closed."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.runtime.cases import Applicant, start_case
from engine.runtime.operations import OperationRefused
from engine.runtime.operations.endings import links_of, merge, terminate, withdraw
from engine.runtime.operations.suspension import suspend
from engine.store import Case
from engine.store.operations import CaseSuspension
from tests.engine.runtime.operations.conftest import (
    PENALTY,
    bj,
    case_row,
    events,
    new_licence,
    power_code,
    steps,
    timers,
    user,
)


def test_the_applicant_withdraws_the_case_ends_with_nothing_left_open(rt):
    case = new_licence(rt, bj(11, 23, 10))
    clerk = user(rt, "shouli")
    with pytest.raises(OperationRefused) as refused:
        withdraw(rt, case.id, clerk, "")
    assert refused.value.fields == {"reason": "op.reason_required"}
    with time_machine.travel(bj(11, 23, 15), tick=False):
        withdraw(rt, case.id, clerk, "申请人书面申请撤回（附撤回申请书）")
    ended = case_row(rt, case.id)
    assert (ended.status, ended.end_name, ended.completed_at) == ("withdrawn", "申请人撤回申请", bj(11, 23, 15))
    assert steps(rt, case.id) == [] and timers(rt, case.id) == []
    assert [e.action for e in events(rt, case.id, "case.")][-2:] == ["case.withdrawn", "case.complete"]
    assert events(rt, case.id, "case.withdrawn")[0].payload["reason"] == "申请人书面申请撤回（附撤回申请书）"
    with pytest.raises(OperationRefused) as refused:
        terminate(rt, case.id, clerk, "再终止")
    assert refused.value.code == "op.not_running"


def test_terminating_a_paused_case_gives_its_time_back_first(rt):
    case = new_licence(rt, bj(11, 23, 10))
    clerk = user(rt, "shouli")
    with time_machine.travel(bj(11, 23, 11), tick=False):
        suspend(rt, case.id, clerk, "hearing", "")
    with time_machine.travel(bj(11, 25, 11), tick=False):
        terminate(rt, case.id, clerk, "申请人主体资格已注销")
    ended = case_row(rt, case.id)
    assert (ended.status, ended.end_name) == ("terminated", "终止办理")
    assert ended.suspended_at is None and ended.clock_paused_at is None
    assert steps(rt, case.id) == [] and timers(rt, case.id) == []
    with rt.reader() as s:
        [pause] = s.execute(select(CaseSuspension).where(CaseSuspension.case_id == case.id)).scalars().all()
    assert (pause.resumed_at, pause.workdays) == (bj(11, 25, 11), 2)
    assert [e.action for e in events(rt, case.id, "case.")][-4:] == [
        "case.terminated", "case.resumed", "case.clock_resumed", "case.complete"]


def _penalty(rt, name: str, at) -> Case:  # type: ignore[no-untyped-def]
    party = Applicant(name, "统一社会信用代码", "91519900MA62G7H8JK", "0837-2887766")
    with time_machine.travel(at, tick=False):
        return start_case(rt, power_code(rt, PENALTY), party, "涉嫌经营超过保质期的食品案", actor="zhifa")


def test_penalty_matters_merged_into_one_case_are_closed_and_linked_both_ways(rt):
    kept = _penalty(rt, "示范市惠民超市有限公司", bj(11, 23, 10))
    first = _penalty(rt, "示范市惠民超市有限公司（分店一）", bj(11, 23, 11))
    second = _penalty(rt, "示范市惠民超市有限公司（分店二）", bj(11, 23, 12))
    officer = user(rt, "zhifa")
    with pytest.raises(OperationRefused) as refused:
        merge(rt, kept.id, [first.serial], officer, "")
    assert refused.value.fields == {"reason": "op.reason_required"}
    with time_machine.travel(bj(11, 24, 10), tick=False):
        merged = merge(rt, kept.id, [first.serial, second.serial], officer, "同一当事人同类违法行为，并案处理")
    assert merged == [first.serial, second.serial]
    for other in (first, second):
        ended = case_row(rt, other.id)
        assert (ended.status, ended.end_name) == ("merged", f"并入 {kept.serial}")
        assert steps(rt, other.id) == [] and timers(rt, other.id) == []
        assert events(rt, other.id, "case.merged_into")[0].payload["into"] == kept.serial
        with rt.reader() as s:
            [link] = links_of(s, other.id)
        assert (link.other_serial, link.direction) == (kept.serial, "into")
    assert case_row(rt, kept.id).status == "running" and len(steps(rt, kept.id)) == 1
    assert events(rt, kept.id, "case.merged")[0].payload["merged"] == [first.serial, second.serial]
    with rt.reader() as s:
        assert [(link.other_serial, link.direction) for link in links_of(s, kept.id)] == [
            (first.serial, "from"), (second.serial, "from")]


def test_only_running_penalties_of_the_department_merge(rt):
    kept = _penalty(rt, "示范市惠民超市有限公司", bj(11, 23, 10))
    licence = new_licence(rt, bj(11, 23, 11))
    officer = user(rt, "zhifa")
    for serials, code in (([licence.serial], "merge.not_penalty"), (["无此编号"], "merge.unknown"),
                          ([kept.serial], "merge.self"), ([], "merge.none")):
        with pytest.raises(OperationRefused) as refused:
            merge(rt, kept.id, serials, officer, "并案")
        assert refused.value.code == code
    other = _penalty(rt, "另一当事人", bj(11, 23, 12))
    with pytest.raises(OperationRefused) as refused:
        merge(rt, kept.id, [other.serial], user(rt, "shouli"), "并案")
    assert refused.value.code == "op.not_allowed"
    assert case_row(rt, other.id).status == "running"
