"""What a script, an expression or a form leaves in a case is bounded: beyond it the step is refused with the usual
"case not changed", naming the element, before any huge JSON is built."""

from __future__ import annotations

import json
from dataclasses import replace
from xml.sax.saxutils import escape

import pytest
import time_machine
from sqlalchemy import func, select

from engine.data_size import fits, json_size, readable
from engine.runtime.cases import complete_task, start_case
from engine.runtime.deploy import deploy
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.sandbox import RestrictedEnvironment, SandboxDataTooLarge
from engine.store import Case
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, deploy_power, open_steps

PERMIT = (HERE / "fixtures" / "permit.bpmn").read_text(encoding="utf-8")
HUGE = "items = ['a' * 999999] * 999999"  # 6 ms to build; its JSON would be a terabyte


def _with_script(source: str) -> str:
    """permit.bpmn with a script task 「生成材料清单」 running ``source`` between the start and 受理申请."""
    script = (f'<bpmn:scriptTask id="prepare" name="生成材料清单"><bpmn:incoming>f1</bpmn:incoming>'
              f'<bpmn:outgoing>f0</bpmn:outgoing><bpmn:script>{escape(source)}</bpmn:script></bpmn:scriptTask>'
              '<bpmn:sequenceFlow id="f0" sourceRef="prepare" targetRef="accept"/>')
    return (PERMIT.replace('<bpmn:flowNodeRef>accept</bpmn:flowNodeRef>',
                           '<bpmn:flowNodeRef>prepare</bpmn:flowNodeRef><bpmn:flowNodeRef>accept</bpmn:flowNodeRef>')
            .replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>',
                     '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>' + script)
            .replace("<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>",
                     "<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"))



def _cases(rt: Runtime) -> int:
    with rt.reader() as s:
        return s.execute(select(func.count()).select_from(Case)).scalar_one()


def test_sizes_are_measured_as_json_writes_them_and_given_up_on_early():
    value = {"opinion": "同意受理", "amount": 12000.5, "items": [1, 22, None, True], "ok": False}
    assert len(json.dumps(value, ensure_ascii=False)) <= json_size(value, 10_000) <= 2 * len(json.dumps(value))
    shared = ["a" * 999_999] * 999_999  # one text referenced a million times counts a million times
    assert json_size(shared, 1024 * 1024) is None and json_size(["a" * 999_999] * 2, 1024 * 1024) is None
    loop: list = []
    loop.append(loop)
    assert json_size(loop, 1024 * 1024) is None  # a cycle never ends: refused, not walked forever
    deep: list = []
    for _ in range(100):
        deep = [deep]
    assert json_size(deep, 1024 * 1024) is None and fits([[[1]]], 100)
    assert (readable(1024 * 1024), readable(8 * 1024 * 1024), readable(1536), readable(900)) == (
        "1 MB", "8 MB", "1.5 KB", "900 B")


def test_the_sandbox_refuses_what_a_script_leaves_or_an_expression_returns_beyond_the_bound():
    env = RestrictedEnvironment(timeout=1.0, max_data=1024 * 1024)
    context: dict = {"items": []}
    with pytest.raises(SandboxDataTooLarge):
        env.execute(HUGE, context)
    assert context == {"items": []}  # nothing of it was kept
    with pytest.raises(SandboxDataTooLarge):  # grown in place, under a name the case already held
        env.execute("items.append('a' * 600000)\nitems.append('b' * 600000)", context)
    with pytest.raises(SandboxDataTooLarge):
        env.evaluate("['a' * 999999] * 999999", {})
    assert env.evaluate("len(['a' * 999999] * 999999) > 0", {}) is True  # a condition may look at anything
    fresh: dict = {}  # the refused step is rolled back with its workflow; a new one starts from the stored case
    env.execute("total = 12000\nnames = ['张三', '李四']", fresh)
    assert fresh == {"total": 12000, "names": ["张三", "李四"]}


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_script_leaving_huge_data_is_refused_by_name_and_no_case_is_started(rt, org):
    power = deploy_power(rt, org, _with_script(HUGE).encode())
    with pytest.raises(RuntimeProblem) as refused:
        start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    assert refused.value.code == "engine.script.too_large"
    assert refused.value.message("zh") == ("流程图中「生成材料清单」的脚本或表达式产生的数据过大（一个环节最多 1 MB），"
                                           "办件未作改动。请联系法制机构检查流程图。")
    assert "“生成材料清单”" in refused.value.message("en")
    assert _cases(rt) == 0
    smaller = Runtime(rt.sessions, replace(rt.settings, max_step_data=2048))
    second = _with_script("note = 'x' * 3000")
    with rt.sessions.begin() as s:
        deploy(s, second.encode(), "permit.bpmn", author="legal", forms=rt.forms, posts={"受理", "审核"})
    with pytest.raises(RuntimeProblem) as refused:  # the bound is the operator's setting
        start_case(smaller, power.code, APPLICANT, "申请", actor="clerk")
    assert refused.value.code == "engine.script.too_large" and "2 KB" in refused.value.message("zh")
    assert start_case(rt, power.code, APPLICANT, "申请", actor="clerk").id  # within the default bound it runs


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_step_submitting_more_than_the_step_bound_is_refused_and_the_case_left_as_it_was(rt, org, power):
    small = Runtime(rt.sessions, replace(rt.settings, max_step_data=1024))
    case = start_case(small, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(small, case.id)
    complete_task(small, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(small, case.id)
    with pytest.raises(RuntimeProblem) as refused:  # 不通过理由 has no maxLength of its own
        complete_task(small, review.id, {"result": "reject", "opinion": "不予", "reason": "理" * 2000},
                      org.reviewer)
    assert refused.value.code == "case.data_too_large"
    assert refused.value.message("zh") == "「审核」提交的内容过多（一个环节最多 1 KB），办件未作改动。请精简后再提交。"
    [still] = open_steps(small, case.id)
    assert still.id == review.id


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_case_beyond_its_total_bound_is_refused(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    with rt.reader() as s:
        size = len(s.get(Case, case.id).workflow_json)
    tight = Runtime(rt.sessions, replace(rt.settings, max_case_data=size + 200))
    [accept] = open_steps(tight, case.id)
    with pytest.raises(RuntimeProblem) as refused:
        complete_task(tight, accept.id, {"opinion": "受" * 400}, org.clerk)
    assert refused.value.code == "case.too_large"
    assert open_steps(tight, case.id)[0].id == accept.id
