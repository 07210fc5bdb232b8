"""check_bpmn: each convention rule fires on a minimal bad model with code, element id and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bpmn_builder import fixture, flow, lanes, line_of, linear, process, user_task

from engine.bpmn import BpmnProblem, CheckReport, check_bpmn, format_problem
from engine.forms import FormRegistry

POSTS = {"受理", "承办", "审核", "批准"}


def _only(report: CheckReport, code: str) -> BpmnProblem:
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, [format_problem(p) for p in report.problems]
    return found[0]


def _errors(report: CheckReport) -> list[str]:
    return [p.code for p in report.errors]


# ---- the good model --------------------------------------------------------------------------------


def test_good_process_passes_every_rule() -> None:
    report = check_bpmn(
        fixture("good.bpmn"),
        "good.bpmn",
        posts=POSTS,
        form_exists=lambda name: name == "accept-schema.json",
    )
    assert report.problems == []
    assert report.ok and report.executable and report.displayable


def test_camunda_model_passes_with_candidate_groups_instead_of_lanes() -> None:
    report = check_bpmn(fixture("camunda.bpmn"), "camunda.bpmn", posts=POSTS, form_exists=lambda n: True)
    assert report.problems == []
    assert report.ok


def test_minimal_linear_process_without_diagram_is_ok_with_a_warning() -> None:
    report = check_bpmn(process(linear(("Task_a", "受理申请"))), "t.bpmn")
    assert report.ok
    assert not report.displayable
    assert [p.code for p in report.problems] == ["diagram.missing"]


# ---- descriptive models ----------------------------------------------------------------------------


def test_descriptive_model_is_displayable_not_executable() -> None:
    data = fixture("descriptive.bpmn")
    report = check_bpmn(data, "descriptive.bpmn")
    assert report.displayable and not report.executable and not report.ok
    assert report.errors == []
    problem = _only(report, "process.not_executable")
    assert problem.severity == "warning"
    assert problem.element_id == "Process_external"
    assert problem.element_name == "食品经营许可（外部流程图）"
    assert problem.line == line_of(data, 'id="Process_external"')


def test_process_without_is_executable_is_descriptive() -> None:
    report = check_bpmn(process(linear(("Task_a", "受理申请")), executable=None), "t.bpmn")
    assert not report.executable
    assert _only(report, "process.not_executable").element_id == "Process_t"


def test_two_executable_processes() -> None:
    data = process(linear(("Task_a", "受理申请"))).replace(
        b"</bpmn:definitions>",
        b'<bpmn:process id="Process_b" isExecutable="true"><bpmn:startEvent id="S_b" />'
        b'<bpmn:endEvent id="E_b" /><bpmn:sequenceFlow id="F_b" sourceRef="S_b" targetRef="E_b" />'
        b"</bpmn:process>\n</bpmn:definitions>",
    )
    report = check_bpmn(data, "two.bpmn")
    problem = _only(report, "process.multiple_executable")
    assert problem.element_id == "Process_b"
    assert problem.line == line_of(data, 'id="Process_b"')
    assert not report.executable and not report.ok


# ---- lanes -----------------------------------------------------------------------------------------


def _two_tasks(lane_members: dict[str, list[str]], extra_attrs: str = "") -> bytes:
    body = lanes(**lane_members)
    body += '<bpmn:startEvent id="StartEvent_1" />\n'
    body += user_task("Task_accept", "受理申请")
    body += user_task("Task_review", "审核", attrs=extra_attrs)
    body += '<bpmn:endEvent id="EndEvent_1" />\n'
    body += flow("F1", "StartEvent_1", "Task_accept") + flow("F2", "Task_accept", "Task_review")
    body += flow("F3", "Task_review", "EndEvent_1")
    return process(body)


def test_user_task_outside_lanes() -> None:
    data = _two_tasks({"受理": ["StartEvent_1", "Task_accept", "EndEvent_1"]})
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "lane.missing")
    assert (problem.element_id, problem.element_name) == ("Task_review", "审核")
    assert problem.line == line_of(data, 'id="Task_review"')
    assert "泳道" in problem.message


def test_candidate_groups_stand_in_for_a_lane() -> None:
    data = _two_tasks({"受理": ["Task_accept"]}, extra_attrs=' camunda:candidateGroups="审核"')
    report = check_bpmn(data, "t.bpmn")
    assert "lane.missing" not in _errors(report)


def test_lane_name_must_be_a_post() -> None:
    data = _two_tasks({"受理": ["Task_accept"], "科长": ["Task_review"]})
    report = check_bpmn(data, "t.bpmn", posts=POSTS)
    problem = _only(report, "lane.unknown_post")
    assert problem.element_id == "Lane_1"
    assert problem.element_name == "科长"
    assert problem.line == line_of(data, 'id="Lane_1"')
    assert "科长" in problem.message and "审核" in problem.message


def test_candidate_group_must_be_a_post() -> None:
    report = check_bpmn(fixture("camunda.bpmn"), "camunda.bpmn", posts={"审核"})
    assert sorted(p.element_id or "" for p in report.errors if p.code == "group.unknown_post") == [
        "Task_escalate",
        "Task_review",
    ]


def test_unnamed_lane() -> None:
    data = _two_tasks({"受理": ["Task_accept"], "": ["Task_review"]})
    report = check_bpmn(data, "t.bpmn")
    assert _only(report, "lane.unnamed").element_id == "Lane_1"


# ---- timers ----------------------------------------------------------------------------------------


def test_user_task_without_timer() -> None:
    data = process(linear(("Task_a", "受理申请"), timer=None))
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "timer.missing")
    assert problem.element_id == "Task_a"
    assert problem.line == line_of(data, 'id="Task_a"')
    assert report.executable and not report.ok


def test_paused_task_without_timer_is_only_a_warning() -> None:
    extra = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="clock" value="paused" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    body = linear(("Task_a", "补正材料"), timer=None).replace(
        '<bpmn:userTask id="Task_a" name="补正材料"></bpmn:userTask>',
        f'<bpmn:userTask id="Task_a" name="补正材料">{extra}</bpmn:userTask>',
    )
    report = check_bpmn(process(body), "t.bpmn")
    assert _only(report, "timer.missing_paused").severity == "warning"
    assert report.ok


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('"P1X"', "timer.date_is_duration"),
        ("P1X", "timer.bad_duration"),
        ("三天", "timer.unknown_name"),
        ("workdays(2", "timer.syntax"),
        ("deadline(3)", "timer.unknown_function"),
        ("workdays(-2)", "timer.bad_args"),
        ("().__class__", "timer.syntax"),
        ("[workdays(i) for i in range(3)]", "timer.forbidden"),
        ("3", "timer.not_text"),
        ("1/0", "timer.eval_failed"),
        ("2027-13-45T09:00:00+08:00", "timer.bad_date"),
        ("", "timer.empty"),
    ],
)
def test_bad_timer_texts(text: str, code: str) -> None:
    data = process(linear(("Task_a", "受理申请"), timer=text))
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, code)
    assert problem.severity == "error"
    assert problem.element_id == "Task_a_timer"
    assert problem.element_name == "受理申请时限"
    assert problem.line == line_of(data, "<bpmn:timeDate>")
    assert not report.ok


def _extension_process(timer: str) -> bytes:
    # 受理 fills in a form with an "extension_days" field; 审核's limit is that many working days.
    form = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
            'name="formJsonSchemaFilename" value="accept.json" /></spiffworkflow:properties></bpmn:extensionElements>')
    body = lanes(承办=["StartEvent_1", "Task_a", "Task_a_timer", "Task_b", "Task_b_timer", "EndEvent_1"])
    body += '<bpmn:startEvent id="StartEvent_1" name="开始" />\n'
    body += user_task("Task_a", "受理申请", extra=form)
    body += user_task("Task_b", "审核", timer=timer)
    body += '<bpmn:endEvent id="EndEvent_1" name="办结" />\n'
    body += flow("Flow_1", "StartEvent_1", "Task_a") + flow("Flow_2", "Task_a", "Task_b")
    body += flow("Flow_3", "Task_b", "EndEvent_1")
    return process(body)


def test_a_limit_read_from_case_data_is_a_warning_when_an_earlier_form_fills_it() -> None:
    fields = {"accept.json": {"opinion", "extension_days"}}
    data = _extension_process("workdays(extension_days)")
    report = check_bpmn(data, "t.bpmn", form_exists=fields.__contains__,
                        form_fields=lambda name: fields.get(name, set()))
    problem = _only(report, "timer.case_data")
    assert problem.severity == "warning" and problem.element_id == "Task_b_timer"
    assert "extension_days" in problem.message and "运行时" in problem.message
    assert report.ok

    # A name no form of the process fills in is a mistake, not case data.
    report = check_bpmn(_extension_process("workdays(extention_days)"), "t.bpmn", form_exists=fields.__contains__,
                        form_fields=lambda name: fields.get(name, set()))
    assert _only(report, "timer.unknown_name").severity == "error" and not report.ok


def test_without_the_forms_a_plain_variable_is_taken_for_case_data_and_other_words_are_not() -> None:
    report = check_bpmn(process(linear(("Task_a", "受理申请"), timer="workdays(days)")), "t.bpmn", lang="en")
    problem = _only(report, "timer.case_data")
    assert problem.severity == "warning" and "can only be computed while a case runs" in problem.message
    report = check_bpmn(process(linear(("Task_a", "受理申请"), timer="三天")), "t.bpmn")
    assert _only(report, "timer.unknown_name").severity == "error"


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("timeDuration", '"P1X"', "timer.bad_duration"),
        ("timeDuration", "P2D", None),
        ("timeDuration", "workdays(3)", None),
        ("timeCycle", "R3/PT1H", None),
        ("timeCycle", "R3/P1X", "timer.bad_cycle"),
    ],
)
def test_timer_fields(field: str, text: str, code: str | None) -> None:
    body = linear(("Task_a", "受理申请"), timer=None).replace(
        '<bpmn:endEvent id="EndEvent_1"',
        '<bpmn:boundaryEvent id="Timer_a" cancelActivity="false" attachedToRef="Task_a">'
        f"<bpmn:timerEventDefinition><bpmn:{field}>{text}</bpmn:{field}></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent>\n<bpmn:endEvent id="EndEvent_1"',
    )
    report = check_bpmn(process(body), "t.bpmn")
    if code is None:
        assert report.ok, [format_problem(p) for p in report.problems]
    else:
        assert _only(report, code).element_id == "Timer_a"


def test_fixed_date_and_naive_date_are_warnings() -> None:
    report = check_bpmn(process(linear(("Task_a", "受理申请"), timer="2027-01-05T09:00:00")), "t.bpmn")
    assert report.ok
    assert {p.code for p in report.warnings} >= {"timer.absolute_date", "timer.naive_datetime"}


# ---- forms -----------------------------------------------------------------------------------------


def test_missing_form() -> None:
    data = fixture("good.bpmn")
    report = check_bpmn(data, "good.bpmn", form_exists=lambda name: False)
    problem = _only(report, "form.missing")
    assert problem.element_id == "Task_accept"
    assert problem.line == line_of(data, 'id="Task_accept"')
    assert "accept-schema.json" in problem.message


def test_camunda_form_key_is_checked() -> None:
    asked: list[str] = []

    def exists(name: str) -> bool:
        asked.append(name)
        return False

    report = check_bpmn(fixture("camunda.bpmn"), "camunda.bpmn", form_exists=exists)
    assert asked == ["review-form"]
    assert _only(report, "form.missing").element_id == "Task_review"


def test_a_form_naming_a_field_it_does_not_have_is_reported_at_the_step(tmp_path) -> None:
    day = {"type": "string", "format": "date"}
    schema = {"type": "object", "properties": {"valid_until": {**day, "x-not-before": "valid_form"},
                                               "valid_from": {**day, "x-not-after-today": True}}}
    (tmp_path / "accept-schema.json").write_text(json.dumps(schema), encoding="utf-8")
    forms = FormRegistry(tmp_path)
    data = fixture("good.bpmn")
    report = check_bpmn(data, "good.bpmn", posts=POSTS, form_exists=forms.exists, form_fields=forms.field_names)
    problem = _only(report, "form.invalid")
    assert (problem.element_id, problem.severity) == ("Task_accept", "error") and not report.ok
    assert "accept-schema.json" in problem.message and "“valid_form”不在本表单中" in problem.message
    english = check_bpmn(data, "good.bpmn", lang="en", form_exists=forms.exists, form_fields=forms.field_names)
    assert '"valid_form", which is not a field of this form' in _only(english, "form.invalid").message

    # The same form naming its real field passes: the platform's keywords are part of a good form.
    schema["properties"]["valid_until"]["x-not-before"] = "valid_from"
    (tmp_path / "accept-schema.json").write_text(json.dumps(schema), encoding="utf-8")
    fresh = FormRegistry(tmp_path)
    report = check_bpmn(data, "good.bpmn", posts=POSTS, form_exists=fresh.exists, form_fields=fresh.field_names)
    assert report.problems == [] and report.ok


def test_a_form_file_that_is_not_json_is_reported_at_the_step(tmp_path) -> None:
    (tmp_path / "accept-schema.json").write_text("{not json", encoding="utf-8")
    forms = FormRegistry(tmp_path)
    report = check_bpmn(fixture("good.bpmn"), "good.bpmn", posts=POSTS, form_exists=forms.exists,
                        form_fields=forms.field_names)
    assert _only(report, "form.invalid").element_id == "Task_accept"


def test_the_shipped_flowcharts_and_their_forms_pass() -> None:
    root = Path(__file__).resolve().parents[3]
    forms = FormRegistry(root / "forms")
    for path in sorted((root / "processes").glob("*.bpmn")):
        report = check_bpmn(path.read_bytes(), path.name, form_exists=forms.exists, form_fields=forms.field_names)
        assert not [p for p in report.problems if p.code.startswith("form.")], path.name


# ---- limits ----------------------------------------------------------------------------------------


def test_step_limits_exceed_the_promised_limit() -> None:
    data = fixture("good.bpmn")
    report = check_bpmn(data, "good.bpmn", promised_limit_days=5, legal_limit_days=20)
    problem = _only(report, "limit.exceeds_promised")
    assert problem.element_id == "Process_license"
    assert problem.line == line_of(data, 'id="Process_license"')
    # The loop back from 审核 to 审查材料 is ignored; the path counts each step once.
    assert "8" in problem.message and "受理申请(1) → 审查材料(3) → 审核(2) → 批准(2)" in problem.message


def test_promised_limit_over_legal_limit_from_process_properties() -> None:
    data = fixture("good.bpmn").replace(
        b'name="promised_limit_days" value="10"', b'name="promised_limit_days" value="30"'
    )
    report = check_bpmn(data, "good.bpmn")
    problem = _only(report, "limit.promised_exceeds_legal")
    assert problem.element_id == "Process_license"
    assert "30" in problem.message and "20" in problem.message


def test_camunda_process_properties_give_the_limits() -> None:
    report = check_bpmn(fixture("camunda.bpmn"), "camunda.bpmn", legal_limit_days=3)
    assert _only(report, "limit.promised_exceeds_legal")


def test_bad_limit_property() -> None:
    data = fixture("good.bpmn").replace(b'value="10"', 'value="十天"'.encode())
    assert _only(check_bpmn(data, "good.bpmn"), "limit.bad_property").element_id == "Process_license"


def test_calendar_and_working_hours_are_converted() -> None:
    body = linear(("Task_a", "受理申请"), ("Task_b", "审核"), timer="P2D").replace(
        "<bpmn:timeDate>P2D</bpmn:timeDate></bpmn:timerEventDefinition>\n</bpmn:boundaryEvent>\n"
        '<bpmn:userTask id="Task_b"',
        "<bpmn:timeDate>workhours(4)</bpmn:timeDate></bpmn:timerEventDefinition>\n</bpmn:boundaryEvent>\n"
        '<bpmn:userTask id="Task_b"',
        1,
    )
    report = check_bpmn(process(body), "t.bpmn", promised_limit_days=2)
    assert "2.5" in _only(report, "limit.exceeds_promised").message
    assert check_bpmn(process(body), "t.bpmn", promised_limit_days=2.5).ok


def test_paused_steps_do_not_count_toward_the_limit() -> None:
    paused = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="clock" value="paused" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    body = linear(("Task_a", "受理申请"), ("Task_wait", "听证"), timer="workdays(3)")
    report = check_bpmn(process(body), "t.bpmn", promised_limit_days=5)
    assert _only(report, "limit.exceeds_promised")
    body = body.replace(
        '<bpmn:userTask id="Task_wait" name="听证"></bpmn:userTask>',
        f'<bpmn:userTask id="Task_wait" name="听证">{paused}</bpmn:userTask>',
    )
    assert check_bpmn(process(body), "t.bpmn", promised_limit_days=5).ok


def test_parallel_branches_take_the_longest() -> None:
    body = lanes(承办=["S", "Split", "A", "B", "Join", "E", "A_timer", "B_timer"])
    body += (
        '<bpmn:startEvent id="S" /><bpmn:parallelGateway id="Split" /><bpmn:parallelGateway id="Join" />\n'
    )
    body += user_task("A", "核查现场", timer="workdays(4)") + user_task("B", "征求意见", timer="workdays(6)")
    body += '<bpmn:endEvent id="E" />\n'
    for i, (a, b) in enumerate(
        [("S", "Split"), ("Split", "A"), ("Split", "B"), ("A", "Join"), ("B", "Join"), ("Join", "E")]
    ):
        body += flow(f"F{i}", a, b)
    assert check_bpmn(process(body), "t.bpmn", promised_limit_days=6).ok
    message = _only(
        check_bpmn(process(body), "t.bpmn", promised_limit_days=5), "limit.exceeds_promised"
    ).message
    assert "征求意见(6)" in message


# ---- structure -------------------------------------------------------------------------------------


def test_no_start_event() -> None:
    data = process(user_task("Task_a", "受理申请") + '<bpmn:endEvent id="E" />' + flow("F", "Task_a", "E"))
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "start.missing")
    assert problem.element_id == "Process_t"
    assert problem.line == line_of(data, 'id="Process_t"')
    assert not report.executable


def test_no_end_event() -> None:
    data = process(
        lanes(受理=["S", "Task_a"])
        + '<bpmn:startEvent id="S" />'
        + user_task("Task_a", "受理申请")
        + flow("F", "S", "Task_a")
    )
    report = check_bpmn(data, "t.bpmn")
    assert _only(report, "end.missing").element_id == "Process_t"


def test_flow_to_missing_target() -> None:
    body = linear(("Task_a", "受理申请")).replace('targetRef="EndEvent_1"', 'targetRef="Task_gone"')
    data = process(body)
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "flow.target_missing")
    assert problem.element_id == "Flow_1"
    assert problem.line == line_of(data, 'id="Flow_1"')
    assert "Task_gone" in problem.message
    assert not report.executable


def test_unreachable_step() -> None:
    body = (
        linear(("Task_a", "受理申请"))
        + user_task("Task_orphan", "遗漏的步骤")
        + flow("F9", "Task_orphan", "EndEvent_1")
    )
    data = process(
        body.replace(
            "<bpmn:flowNodeRef>EndEvent_1",
            "<bpmn:flowNodeRef>Task_orphan</bpmn:flowNodeRef><bpmn:flowNodeRef>EndEvent_1",
        )
    )
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "node.unreachable")
    assert problem.element_id == "Task_orphan"
    assert problem.line == line_of(data, 'id="Task_orphan"')


def _gateway(default: str = "", condition: str | None = None) -> bytes:
    body = lanes(审核=["S", "G", "Task_yes", "Task_no", "E", "Task_yes_timer", "Task_no_timer"])
    body += f'<bpmn:startEvent id="S" /><bpmn:exclusiveGateway id="G" name="是否通过"{default} />\n'
    body += user_task("Task_yes", "批准") + user_task("Task_no", "退回") + '<bpmn:endEvent id="E" />\n'
    body += flow("F0", "S", "G") + flow("F_yes", "G", "Task_yes", condition) + flow("F_no", "G", "Task_no")
    body += flow("F3", "Task_yes", "E") + flow("F4", "Task_no", "E")
    return process(body)


def test_gateway_flows_without_condition() -> None:
    data = _gateway()
    report = check_bpmn(data, "t.bpmn")
    flagged = sorted(
        (p.element_id or "", p.line or 0) for p in report.problems if p.code == "gateway.condition_missing"
    )
    assert flagged == [("F_no", line_of(data, 'id="F_no"')), ("F_yes", line_of(data, 'id="F_yes"'))]
    assert "是否通过" in report.problems[0].message or any("是否通过" in p.message for p in report.problems)


def test_gateway_default_flow_needs_no_condition() -> None:
    assert check_bpmn(_gateway(' default="F_no"', 'result == "通过"'), "t.bpmn").ok


def test_condition_that_does_not_compile() -> None:
    report = check_bpmn(_gateway(' default="F_no"', "result =="), "t.bpmn")
    assert _only(report, "condition.invalid").element_id == "F_yes"


@pytest.mark.parametrize(
    ("script", "code"),
    [
        ("import os\nos.system('ls')", "script.invalid"),
        ("fee = (", "script.invalid"),
        ("x = ().__class__", "script.invalid"),
        ("", "script.empty"),
    ],
)
def test_script_tasks(script: str, code: str) -> None:
    body = (
        linear(("Task_a", "受理申请"))
        .replace(
            '<bpmn:endEvent id="EndEvent_1"',
            '<bpmn:scriptTask id="Script_fee" name="计算收费">'
            f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>\n"
            '<bpmn:endEvent id="EndEvent_1"',
        )
        .replace('sourceRef="Task_a" targetRef="EndEvent_1"', 'sourceRef="Task_a" targetRef="Script_fee"')
    )
    body += flow("F_s", "Script_fee", "EndEvent_1")
    data = process(body)
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, code)
    assert problem.element_id == "Script_fee"
    assert problem.line == line_of(data, 'id="Script_fee"')


def test_task_with_two_arrows_out() -> None:
    body = linear(("Task_a", "受理申请")) + flow("F_extra", "Task_a", "EndEvent_1")
    report = check_bpmn(process(body), "t.bpmn")
    assert _only(report, "task.multiple_outgoing").element_id == "Task_a"
    assert not report.executable


def test_reserved_id() -> None:
    body = linear(("Task_a", "受理申请")).replace("StartEvent_1", "Start")
    report = check_bpmn(process(body), "t.bpmn")
    assert _only(report, "id.reserved").element_id == "Start"


def test_engine_only_problem_is_located() -> None:
    body = (
        linear(("Task_a", "受理申请"))
        .replace(
            '<bpmn:endEvent id="EndEvent_1"',
            '<bpmn:complexGateway id="Gateway_c" name="复杂网关" />\n<bpmn:endEvent id="EndEvent_1"',
        )
        .replace('sourceRef="Task_a" targetRef="EndEvent_1"', 'sourceRef="Task_a" targetRef="Gateway_c"')
    )
    body += flow("F_c", "Gateway_c", "EndEvent_1")
    data = process(body)
    report = check_bpmn(data, "t.bpmn")
    problem = _only(report, "element.unsupported")
    assert problem.element_id == "Gateway_c"
    assert problem.line == line_of(data, 'id="Gateway_c"')
    assert "bpmn:complexGateway" in problem.message
    assert not report.executable


# ---- language --------------------------------------------------------------------------------------


def test_english_messages() -> None:
    data = process(linear(("Task_a", "受理申请"), timer=None))
    report = check_bpmn(data, "t.bpmn", lang="en")
    problem = _only(report, "timer.missing")
    assert problem.message.startswith("This step has no time limit.")
    assert format_problem(problem, "en") == f'line {problem.line} · Task_a "受理申请": {problem.message}'


def test_chinese_is_the_default_and_format_names_the_element() -> None:
    data = process(linear(("Task_a", "受理申请"), timer=None))
    problem = _only(check_bpmn(data, "t.bpmn"), "timer.missing")
    assert format_problem(problem) == f"第 {problem.line} 行 · Task_a「受理申请」: {problem.message}"
