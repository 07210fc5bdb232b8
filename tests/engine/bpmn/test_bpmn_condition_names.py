"""check_bpmn: arrow conditions may only read variables the process provides (condition.unknown_name)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from bpmn_builder import flow, lanes, line_of, process, user_task

from engine.bpmn import BpmnProblem, CheckReport, check_bpmn, format_problem
from engine.bpmn.rules.variables import CASE_START_DATA, assigned_names, read_names

REPO = Path(__file__).resolve().parents[3]
FORMS = {"accept.json": {"accept_result", "opinion"}}
FORM = (
    '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
    'name="formJsonSchemaFilename" value="accept.json" /></spiffworkflow:properties></bpmn:extensionElements>'
)


def _decision(condition: str, script: str | None = None, *, form: str = FORM) -> bytes:
    """受理 fills in accept.json, an optional script runs, then gateway G sends F_yes to the end if ``condition``."""
    nodes = ["S", "Task_a", "Task_a_timer", "G", "Task_b", "Task_b_timer", "E"]
    body = lanes(受理=[*nodes, *(["Script_calc"] if script is not None else [])])
    body += '<bpmn:startEvent id="S" />\n' + user_task("Task_a", "受理申请", extra=form)
    body += '<bpmn:exclusiveGateway id="G" name="是否受理" default="F_no" />\n'
    body += user_task("Task_b", "补正") + '<bpmn:endEvent id="E" />\n'
    body += flow("F0", "S", "Task_a")
    if script is not None:
        body += (
            '<bpmn:scriptTask id="Script_calc" name="计算">'
            f"<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>\n"
        )
        body += flow("F1", "Task_a", "Script_calc") + flow("F2", "Script_calc", "G")
    else:
        body += flow("F1", "Task_a", "G")
    body += flow("F_yes", "G", "E", escape(condition)).replace('id="F_yes"', 'id="F_yes" name="予以受理"')
    body += flow("F_no", "G", "Task_b") + flow("F3", "Task_b", "E")
    return process(body)


def _check(data: bytes, lang: str = "zh", forms: dict[str, set[str]] | None = None) -> CheckReport:
    fields = FORMS if forms is None else forms
    return check_bpmn(data, "t.bpmn", lang=lang, form_exists=fields.__contains__,
                      form_fields=lambda name: fields.get(name, set()))


def _unknown(report: CheckReport) -> list[BpmnProblem]:
    return [p for p in report.problems if p.code == "condition.unknown_name"]


def _no_problems(report: CheckReport) -> None:
    # Rule tests build no diagram, so "diagram.missing" is the one warning every report carries.
    assert _codes(report) == [], [format_problem(p) for p in report.problems]
    assert report.ok


def _codes(report: CheckReport) -> list[str]:
    return [p.code for p in report.problems if p.code != "diagram.missing"]


# ---- what is reported ----------------------------------------------------------------------------------------


def test_a_misspelt_condition_variable_is_an_error_at_its_arrow_with_a_suggestion() -> None:
    data = _decision('accept_reslt == "accept"')
    report = _check(data)
    [problem] = _unknown(report)
    assert problem.severity == "error" and not report.ok
    assert problem.element_id == "F_yes" and problem.element_name == "予以受理"
    assert problem.line == line_of(data, "<bpmn:conditionExpression>")
    assert "“accept_reslt”" in problem.message and "是否是 accept_result？" in problem.message
    # The known variables are listed, nearest first, so the intended one is never cut off.
    assert "已知变量：accept_result、" in problem.message

    [english] = _unknown(_check(data, lang="en"))
    assert '"accept_reslt", which nothing in the process provides' in english.message
    assert "Did you mean accept_result?" in english.message


def test_every_unknown_name_is_reported_once_and_far_off_names_get_no_suggestion() -> None:
    report = _check(_decision("zzz_flag and zzz_flag or accept_result == 'accept' and qqq"))
    assert [p.message.split("“")[1].split("”")[0] for p in _unknown(report)] == ["zzz_flag", "qqq"]
    assert all("是否是" not in p.message for p in _unknown(report))


def test_the_qa_case_a_typo_in_the_shipped_confirmation_process_is_caught() -> None:
    forms = REPO / "forms"
    original = (REPO / "processes" / "confirmation_simple.bpmn").read_bytes()

    def fields(name: str) -> set[str]:
        return set(json.loads((forms / name).read_text(encoding="utf-8")).get("properties", {}))

    def check(data: bytes) -> CheckReport:
        return check_bpmn(data, "confirmation_simple.bpmn", form_exists=lambda n: (forms / n).is_file(),
                          form_fields=fields)

    assert check(original).ok
    typo = original.replace(b'accept_result == "accept"', b'accept_reslt == "accept"')
    [problem] = _unknown(check(typo))
    assert problem.element_id == "Flow_accepted" and "是否是 accept_result？" in problem.message


# ---- where known names come from -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "script"),
    [
        ('accept_result == "accept"', None),  # a field of the form 受理 fills in
        ('applicant_name != "" and power_code', None),  # case start data
        ("fee > 0", "fee = 30"),
        ("fee > discount + rate", "fee, (discount, rate) = 30, (5, 1)"),  # tuple targets
        ("total >= 2", "total = 0\ntotal += 2"),  # augmented assignment
        ("item == 'x'", "for item in ['x']:\n    pass"),  # for-loop target
        ("level == 2", "def bump():\n    global level\n    level = 2\nbump()"),  # global inside a function
        ("len(opinion) < 200 and min(1, 2) == 1", None),  # sandbox builtins
    ],
)
def test_form_fields_start_data_script_results_and_builtins_are_known(condition: str, script: str | None) -> None:
    _no_problems(_check(_decision(condition, script)))


def test_case_start_data_matches_what_start_case_puts_in() -> None:
    assert {"applicant_name", "subject", "power_code", "power_name"} <= CASE_START_DATA


@pytest.mark.parametrize(
    "condition",
    [
        "any(r == 'accept' for r in [accept_result])",
        "[o for o in opinion if o] and {k: v for k, v in [(1, 2)]}",
        "all(x > y for x in [2] for y in [1] if x)",
        "(lambda v, *rest, w=accept_result: v == w)('accept')",
        "(n := len(opinion)) > 0 and n < 100",
    ],
)
def test_names_bound_inside_the_condition_are_not_reported(condition: str) -> None:
    _no_problems(_check(_decision(condition)))


def test_a_comprehension_variable_does_not_leak_out_of_its_comprehension() -> None:
    report = _check(_decision("[x for x in [accept_result]] and x"))
    assert [p.message.split("“")[1].split("”")[0] for p in _unknown(report)] == ["x"]


def test_a_local_of_a_script_function_is_not_case_data() -> None:
    report = _check(_decision("secret == 1", "def f():\n    secret = 1\n    return secret\nresult = f()"))
    assert len(_unknown(report)) == 1


def test_pre_and_post_scripts_provide_names_too() -> None:
    post = FORM.replace(
        "</bpmn:extensionElements>",
        "<spiffworkflow:postScript>checked = accept_result == 'accept'</spiffworkflow:postScript>"
        "</bpmn:extensionElements>",
    )
    _no_problems(_check(_decision("checked", form=post)))


def test_a_timer_may_read_a_script_result_as_case_data() -> None:
    # Timers share the known names: a script's result is case data (a warning), not an unknown word.
    data = _decision('accept_result == "accept"', "days = 3").replace(
        b"<bpmn:timeDate>workdays(2)</bpmn:timeDate></bpmn:timerEventDefinition>\n</bpmn:boundaryEvent>\n"
        b'<bpmn:endEvent id="E" />',
        b"<bpmn:timeDate>workdays(days)</bpmn:timeDate></bpmn:timerEventDefinition>\n</bpmn:boundaryEvent>\n"
        b'<bpmn:endEvent id="E" />',
    )
    report = _check(data)
    assert _codes(report) == ["timer.case_data"] and report.ok


# ---- when the check cannot tell ------------------------------------------------------------------------------


def test_without_the_forms_conditions_are_not_judged() -> None:
    assert check_bpmn(_decision('accept_reslt == "accept"'), "t.bpmn").ok


def test_a_missing_form_is_reported_once_not_as_unknown_variables() -> None:
    report = _check(_decision('accept_result == "accept"'), forms={})
    assert [p.code for p in report.errors] == ["form.missing"]


def test_a_form_chosen_while_the_case_runs_makes_the_fields_unknowable() -> None:
    dynamic = '<bpmn:extensionElements />'
    data = _decision('accept_reslt == "accept"', form=dynamic).replace(
        b'<bpmn:userTask id="Task_a"', b'<bpmn:userTask id="Task_a" camunda:formKey="${form_name}"'
    )
    assert _unknown(_check(data)) == []


def test_a_condition_that_does_not_parse_is_only_reported_as_invalid() -> None:
    report = _check(_decision("accept_reslt =="))
    assert [p.code for p in report.errors] == ["condition.invalid"]


# ---- the helpers ---------------------------------------------------------------------------------------------


def test_assigned_names_collects_module_level_bindings_only() -> None:
    script = (
        "a = 1\nb, (c, *d) = 1, (2, 3)\ne += 1\nfor f, g in []:\n    pass\nwith x() as h:\n    pass\n"
        "squares = [i * i for i in range(3)]\nif (j := 2):\n    pass\ndef k(m):\n    n = m\n_private = 1\n"
    )
    assert assigned_names(script) == {"a", "b", "c", "d", "e", "f", "g", "h", "squares", "j"}
    assert assigned_names("fee = (") == set()


def test_read_names_leaves_out_what_the_expression_binds() -> None:
    assert read_names("sum(v for v in values if v > limit) and ok") == ["sum", "values", "limit", "ok"]
    assert read_names("result ==") is None
