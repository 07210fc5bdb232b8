"""A flowchart that passes its checks but fails while a case runs: staff are told what, where, and who fixes it."""

from __future__ import annotations

from dataclasses import replace
from xml.sax.saxutils import escape

import pytest
import time_machine

from engine.runtime.cases import complete_task, start_case
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.store import Power
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, Org, deploy_power, open_steps

PERMIT = (HERE / "fixtures" / "permit.bpmn").read_text(encoding="utf-8")
PASS = '<bpmn:conditionExpression>result == "pass"</bpmn:conditionExpression>'


def _passing_when(condition: str) -> str:
    """permit.bpmn with ``condition`` on the arrow 审核结论 → 准予许可."""
    return PERMIT.replace(PASS, f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>")



def _review(rt: Runtime, org: Org, power: Power, values: dict[str, str]) -> tuple[RuntimeProblem, int]:
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)  # 材料齐全 is optional and left out
    [review] = open_steps(rt, case.id)
    with pytest.raises(RuntimeProblem) as caught:
        complete_task(rt, review.id, {"opinion": "审核意见", **values}, org.reviewer)
    return caught.value, case.id


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_condition_reading_an_unfilled_optional_field_names_the_field_and_changes_nothing(rt, org):
    power = deploy_power(rt, org, _passing_when('materials_complete and result == "pass"').encode())

    problem, case_id = _review(rt, org, power, {"result": "pass"})

    assert problem.code == "engine.script.name"
    assert problem.message("zh") == ("流程图中「审核结论」用到的数据「materials_complete」在本办件中没有值，"
                                     "办件未作改动。请检查前面环节是否填写了该项，或联系法制机构检查流程图。")
    assert "“审核结论”" in problem.message("en") and "Error evaluating" not in problem.message("en")
    [still] = open_steps(rt, case_id)  # the review step is still open, as before the attempt
    assert still.name == "审核"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_gateway_with_no_true_condition_and_no_default_says_so(rt, org):
    bpmn = PERMIT.replace(' default="f5"', "").replace(
        '<bpmn:sequenceFlow id="f5" name="不通过" sourceRef="gw" targetRef="end_no"/>',
        '<bpmn:sequenceFlow id="f5" name="不通过" sourceRef="gw" targetRef="end_no">'
        '<bpmn:conditionExpression>result == "reject" and amount &gt; 0</bpmn:conditionExpression>'
        '</bpmn:sequenceFlow>')
    power = deploy_power(rt, org, bpmn.encode())

    problem, _ = _review(rt, org, power, {"result": "reject", "reason": "不符合", "amount": "0"})

    assert problem.code == "engine.script.no_path"
    assert "「审核结论」的条件都不成立" in problem.message("zh")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_any_other_failure_names_the_element_and_the_kind_of_error_not_the_expression(rt, org):
    power = deploy_power(rt, org, _passing_when("1 / amount > 0").encode())

    problem, _ = _review(rt, org, power, {"result": "pass", "amount": "0"})

    assert problem.code == "engine.script"
    assert problem.message("zh") == ("流程图中「审核结论」的脚本或条件执行出错（ZeroDivisionError），办件未作改动。"
                                     "请联系法制机构检查流程图。")
    assert "1 / amount" not in problem.message("en")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_condition_that_runs_too_long_is_stopped_and_reported_as_such(db, rt, org):
    power = deploy_power(rt, org, _passing_when("any(False for _ in range(10 ** 6) for _ in range(10 ** 6))").encode())
    quick = Runtime(db.sessions, replace(rt.settings, script_timeout=0.05))

    problem, _ = _review(quick, org, power, {"result": "pass"})

    assert problem.code == "engine.script.timeout"
    assert "「审核结论」的脚本运行超时被终止" in problem.message("zh")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_code_the_sandbox_refuses_before_running_it_is_reported_as_such(rt, org):
    # The size comes from case data, so only the running sandbox can refuse it (a written-out range(10 ** 12) is
    # refused by the checker at deploy, issue 12 §2.2).
    power = deploy_power(rt, org, _passing_when("sum(range(len(result) * 10 ** 12)) > 0").encode())

    problem, _ = _review(rt, org, power, {"result": "pass"})

    assert problem.code == "engine.script.refused"
    assert "「审核结论」的脚本含有平台不允许执行的写法" in problem.message("zh")
