"""The linter knows the clock marks: clock = paused on steps, clock = applicant / third_party on timers."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpmn_builder import line_of, linear, process

from engine.bpmn import BpmnProblem, CheckReport, check_bpmn, format_problem

PROCESSES = Path(__file__).resolve().parents[3] / "processes"


def _props(value: str, ns: str = "spiffworkflow") -> str:
    return (f"<bpmn:extensionElements><{ns}:properties><{ns}:property name=\"clock\" value=\"{value}\" />"
            f"</{ns}:properties></bpmn:extensionElements>")


def _model(step: str | None = None, timer: str | None = None, timer_ns: str = "spiffworkflow") -> bytes:
    """受理 then 补正材料 with a workdays(15) timer; ``step`` and ``timer`` are their clock values, if any."""
    body = linear(("Task_a", "受理"), ("Task_wait", "补正材料"), timer="workdays(15)")
    if step is not None:
        body = body.replace('<bpmn:userTask id="Task_wait" name="补正材料"></bpmn:userTask>',
                            f'<bpmn:userTask id="Task_wait" name="补正材料">{_props(step)}</bpmn:userTask>')
    if timer is not None:
        opening = '<bpmn:boundaryEvent id="Task_wait_timer" name="补正材料时限" cancelActivity="false" ' \
                  'attachedToRef="Task_wait">\n'
        body = body.replace(opening, opening + _props(timer, timer_ns))
    return process(body)


def _clock_problems(report: CheckReport) -> list[BpmnProblem]:
    return [p for p in report.problems if p.code.startswith("clock.")]


def test_a_paused_step_whose_timer_is_the_applicants_passes():
    report = check_bpmn(_model(step="paused", timer="applicant"), "t.bpmn")
    assert _clock_problems(report) == [] and report.ok


def test_third_party_time_is_understood_too():
    assert _clock_problems(check_bpmn(_model(step="paused", timer="third_party"), "t.bpmn")) == []


@pytest.mark.parametrize(("step", "timer", "code", "element"), [
    (None, "applicants", "clock.timer_value", "Task_wait_timer"),  # a typo would alert the department
    ("paused", "paused", "clock.timer_value", "Task_wait_timer"),  # stopping the clock belongs on the step
    ("applicant", None, "clock.others_on_step", "Task_wait"),
    ("pause", None, "clock.step_value", "Task_wait"),
])
def test_a_mark_the_engine_would_ignore_is_an_error_at_its_element(step, timer, code, element):
    data = _model(step=step, timer=timer)
    report = check_bpmn(data, "t.bpmn")
    [problem] = _clock_problems(report)
    assert (problem.code, problem.severity, problem.element_id) == (code, "error", element)
    assert problem.line == line_of(data, f'id="{element}"')
    assert not report.ok


def test_the_applicants_time_on_a_step_whose_clock_runs_is_a_warning():
    report = check_bpmn(_model(timer="applicant"), "t.bpmn")
    [problem] = _clock_problems(report)
    assert (problem.code, problem.severity, problem.element_id) == \
        ("clock.others_time_running", "warning", "Task_wait_timer")
    assert "申请人的时间" in problem.message
    english = _clock_problems(check_bpmn(_model(timer="third_party"), "t.bpmn", lang="en"))[0]
    assert "a third party's time" in english.message


def test_a_camunda_property_on_a_timer_is_refused_because_the_engine_does_not_read_it():
    report = check_bpmn(_model(step="paused", timer="applicant", timer_ns="camunda"), "t.bpmn")
    [problem] = _clock_problems(report)
    assert (problem.code, problem.element_id) == ("clock.camunda_timer", "Task_wait_timer")
    assert "spiffworkflow:property" in format_problem(problem)


def test_a_clock_anywhere_else_is_misplaced():
    body = linear(("Task_a", "受理")).replace('<bpmn:endEvent id="EndEvent_1" name="办结" />',
                                              f'<bpmn:endEvent id="EndEvent_1" name="办结">{_props("paused")}'
                                              "</bpmn:endEvent>")
    [problem] = _clock_problems(check_bpmn(process(body), "t.bpmn"))
    assert (problem.code, problem.element_id) == ("clock.misplaced", "EndEvent_1")


def test_the_demo_licence_marks_its_supplement_period_as_the_applicants():
    data = (PROCESSES / "license_food_business.bpmn").read_bytes()
    report = check_bpmn(data, "license_food_business.bpmn")
    assert report.ok and _clock_problems(report) == []
    text = data.decode()
    timer = text[text.index('<bpmn:boundaryEvent id="supplement_time_limit"'):]
    assert '<spiffworkflow:property name="clock" value="applicant" />' in timer[:timer.index("</bpmn:boundaryEvent>")]
