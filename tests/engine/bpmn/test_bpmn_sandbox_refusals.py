"""The static check refuses what the runtime sandbox refuses (issue 12 §2.2), from the runtime's own tables.

Before, ``open(...)``, ``getattr``, ``type``, ``'{0.__class__}'.format(...)`` and huge repetitions passed the check
and only stopped a case, where staff read that it "has no value for open".
"""

from __future__ import annotations

import pytest
from bpmn_builder import flow, lanes, line_of, process, user_task

from engine.bpmn import check_bpmn
from engine.bpmn.sandbox import (
    OFFERED_BUILTINS,
    REFUSED_BUILTINS,
    REFUSED_TEXT_METHODS,
    check_expression,
    check_script,
    runtime_refusals,
)
from engine.sandbox import SandboxError, base_globals, compile_script, run_limited


def _runs(source: str) -> BaseException | None:
    """What the runtime sandbox does with ``source``: None when it runs, else what stopped it."""
    namespace = dict(base_globals())
    namespace["y"] = "申请人"
    try:
        run_limited(compile_script(source), namespace, 2.0, mode="exec")
    except (SandboxError, NameError) as exc:
        return exc
    return None


REFUSED_AT_RUN_TIME = [
    "x = open('/etc/passwd').read()",
    "x = getattr(y, 'upper')",
    "x = type(y)",
    "print(y)",
    "x = '{0.__class__}'.format(y)",
    "x = y.format(1)",
    "x = 'a' * 999999999",
    "x = [0] * 10**9",
    "x = range(10**9)",
    "x = 'x'.center(10**9)",
    "x = 2 ** 100000",
    "x = b'abc'.decode()",
]


@pytest.mark.parametrize("source", REFUSED_AT_RUN_TIME)
def test_what_the_runtime_refuses_the_check_refuses(source: str) -> None:
    assert _runs(source) is not None, "the runtime lets this run; the example is wrong"
    detail = check_script(source, "zh")
    assert detail is not None and detail.startswith("第 1 行：")
    assert "NameError" not in detail and "SandboxError" not in detail and "has no value" not in detail


@pytest.mark.parametrize("source", [
    "x = sorted([3, 1, 2])", "x = 'ab' * 3", "x = [0] * 100", "x = range(10)", "x = y.upper() + y.strip()",
    "x = f'{y}号'", "x = 2 ** 10", "type = '甲'\nx = type", "def open(a):\n    return a\nx = open(1)",
    "x = max(len(y), 3)", "x = '%s号' % y",
])
def test_what_the_runtime_runs_the_check_lets_through(source: str) -> None:
    assert _runs(source) is None
    assert check_script(source, "zh") is None


def test_every_refused_builtin_is_refused_by_the_runtime_too() -> None:
    # Derived from the same tables, so they cannot drift: every name flagged statically fails at run time.
    for name in sorted(REFUSED_BUILTINS):
        assert isinstance(_runs(f"x = {name}(1)"), NameError | SandboxError), name
        assert runtime_refusals(f"x = {name}(1)", "exec"), name
    for name in sorted(OFFERED_BUILTINS):
        assert not runtime_refusals(f"x = {name}", "exec"), name


def test_every_refused_text_method_is_refused_by_the_runtime_too() -> None:
    assert {"format", "format_map", "encode", "translate"} <= REFUSED_TEXT_METHODS
    for name in sorted(REFUSED_TEXT_METHODS):
        assert isinstance(_runs(f"x = 'a'.{name}"), SandboxError), name
        assert runtime_refusals(f"x = 'a'.{name}", "exec"), name
    assert "upper" not in REFUSED_TEXT_METHODS and _runs("x = 'a'.upper()") is None


def test_the_reason_is_said_in_both_languages() -> None:
    assert check_script("x = open('a')", "zh") == "第 1 行：平台的脚本里没有 open()：脚本不能读写文件，也不能与外界交互"
    assert "open() is not available" in (check_script("x = open('a')", "en") or "")
    repeat = check_script("x = 'a' * 999999999", "zh") or ""
    assert "999999999 项" in repeat and "上限 1000000 项" in repeat
    assert "f\"…{变量}…\"" in (check_expression("'{0.__class__}'.format(a)", "zh") or "")


def test_a_refused_call_in_a_condition_is_reported_where_it_is() -> None:
    body = lanes(承办=["StartEvent_1", "Task_a", "Task_a_timer", "Gateway_1", "EndEvent_1", "EndEvent_2"])
    body += '<bpmn:startEvent id="StartEvent_1" />\n' + user_task("Task_a", "审核")
    body += '<bpmn:exclusiveGateway id="Gateway_1" default="Flow_no" />\n'
    body += '<bpmn:endEvent id="EndEvent_1" />\n<bpmn:endEvent id="EndEvent_2" />\n'
    body += flow("Flow_1", "StartEvent_1", "Task_a") + flow("Flow_2", "Task_a", "Gateway_1")
    body += flow("Flow_yes", "Gateway_1", "EndEvent_1", "getattr(result, 'ok') == 1")
    body += flow("Flow_no", "Gateway_1", "EndEvent_2")
    data = process(body)
    report = check_bpmn(data, "t.bpmn")
    (problem,) = [p for p in report.problems if p.code == "condition.invalid"]
    assert problem.element_id == "Flow_yes" and problem.line == line_of(data, "getattr(")
    assert "getattr()" in problem.message and not report.ok


def test_a_refused_script_is_reported_at_its_task() -> None:
    body = lanes(承办=["StartEvent_1", "Script_1", "EndEvent_1"])
    body += '<bpmn:startEvent id="StartEvent_1" />\n'
    body += ('<bpmn:scriptTask id="Script_1" name="计算"><bpmn:script>x = [0] * 10**9\ny = open("a")'
             "</bpmn:script></bpmn:scriptTask>\n")
    body += '<bpmn:endEvent id="EndEvent_1" />\n'
    body += flow("Flow_1", "StartEvent_1", "Script_1") + flow("Flow_2", "Script_1", "EndEvent_1")
    report = check_bpmn(process(body), "t.bpmn")
    (problem,) = [p for p in report.problems if p.code == "script.invalid"]
    assert problem.element_id == "Script_1"
    assert "第 1 行：重复（*）会得到 1000000000 项" in problem.message
    assert "第 2 行：平台的脚本里没有 open()" in problem.message


@pytest.mark.parametrize(("source", "words"), [
    ("x = （1）", "中文标点"),
    ("x = 'abc", "引号没有闭合"),
    ("x = (1", "没有闭合"),
    ("try:\n    x = 1\nexcept Exception:\n    x = 2", "不允许使用 try/except"),
    ("x = a.__class__", "以下划线开头"),
    ("x = " + "+".join(["1"] * 100_000), "太长或嵌套太深"),
])
def test_compile_complaints_are_worded_for_people(source: str, words: str) -> None:
    detail = check_script(source, "zh") or ""
    assert words in detail
    assert "SyntaxError" not in detail and "invalid syntax" not in detail and "RecursionError" not in detail
