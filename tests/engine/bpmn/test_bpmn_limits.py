"""Huge and deep flowcharts get one clear message instead of hundreds of thousands of lines or a RecursionError
(issue 12 §2.3). The files are generated (big_models.py), not committed.

No test here asserts a time (house rule); the figures are in docs/bpmn.md.
"""

from __future__ import annotations

import pytest
from big_models import chain, gateways, many_tasks, nested, schema_errors, scripts

from engine.bpmn import BpmnError, check_bpmn, format_problem, load_process
from engine.bpmn.parser import DEFAULT_MAX_STEPS, MAX_CODE_CHARS, MAX_ELEMENTS


def test_two_hundred_thousand_tasks_are_one_message() -> None:
    data = many_tasks(200_000)
    report = check_bpmn(data, "big.bpmn")
    (problem,) = report.problems
    assert problem.code == "model.too_many_steps" and problem.line == 2 and problem.element_id == "Definitions_big"
    assert "200,003 个步骤和连线" in problem.message and f"上限 {DEFAULT_MAX_STEPS:,} 个" in problem.message
    assert not report.executable and not report.displayable


def test_sixty_thousand_chained_tasks_are_refused_before_the_engine_recurses() -> None:
    report = check_bpmn(chain(60_000), "chain.bpmn")
    assert [p.code for p in report.problems] == ["model.too_many_steps"]


def test_a_chain_too_long_for_the_engine_is_explained_at_the_process() -> None:
    report = check_bpmn(chain(1_400), "chain.bpmn")
    (problem,) = [p for p in report.problems if p.is_error]
    assert problem.code == "engine.chain_too_long" and problem.element_id == "Process_big"
    assert "RecursionError" not in problem.message and "子流程" in problem.message
    with pytest.raises(BpmnError) as info:
        load_process(chain(1_400), "chain.bpmn")
    assert [p.code for p in info.value.problems] == ["engine.chain_too_long"]


def test_load_process_refuses_what_the_check_refuses() -> None:
    with pytest.raises(BpmnError) as info:
        load_process(many_tasks(DEFAULT_MAX_STEPS), "big.bpmn")
    assert [p.code for p in info.value.problems] == ["model.too_many_steps"]


def test_the_step_limit_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_bpmn(many_tasks(50), "t.bpmn", max_steps=10).problems[0].code == "model.too_many_steps"
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_STEPS", "10")
    assert check_bpmn(many_tasks(50), "t.bpmn").problems[0].code == "model.too_many_steps"
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_STEPS", "100")
    assert "model.too_many_steps" not in [p.code for p in check_bpmn(many_tasks(50), "t.bpmn").problems]


def test_too_many_elements_of_any_kind() -> None:
    body = "<documentation>说明</documentation>" * MAX_ELEMENTS
    data = many_tasks(1).replace(b'<userTask id="T0"/>', f'<userTask id="T0">{body}</userTask>'.encode())
    (problem,) = check_bpmn(data, "docs.bpmn").problems
    assert problem.code == "model.too_many_elements" and f"{MAX_ELEMENTS:,}" in problem.message


def test_too_much_code_is_refused_before_it_is_compiled() -> None:
    data = scripts(60, lines=60)
    (problem,) = check_bpmn(data, "scripts.bpmn").problems
    assert problem.code == "model.too_much_code" and problem.element_id == "Process_big"
    assert f"{MAX_CODE_CHARS:,}" in problem.message


def test_a_large_model_under_the_limits_is_checked_in_full() -> None:
    report = check_bpmn(many_tasks(DEFAULT_MAX_STEPS - 10), "many.bpmn")
    codes = [p.code for p in report.problems]
    assert codes.count("lane.missing") == DEFAULT_MAX_STEPS - 10
    assert all(p.located for p in report.problems)


@pytest.mark.parametrize("data", [gateways(900), schema_errors(2_000), nested(200)],
                         ids=["gateways", "schema", "nested"])
def test_odd_shapes_under_the_limits_end_in_located_messages(data: bytes) -> None:
    report = check_bpmn(data, "odd.bpmn")
    assert all(p.located for p in report.problems), [format_problem(p) for p in report.problems if not p.located]
    assert not any("Error" in p.message for p in report.problems)


def test_deeper_nesting_than_xml_allows_is_said_plainly() -> None:
    (problem,) = check_bpmn(nested(300), "deep.bpmn").problems
    assert problem.code == "xml.too_deep" and "256" in problem.message
