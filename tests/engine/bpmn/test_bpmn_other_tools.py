"""Flowcharts from other tools (issue 12 §4): checked without a crash, every message located and in plain words,
and everything another engine would run that this platform does not is named, all of it at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bpmn_builder import FIXTURES, fixture, line_of, linear, process

from engine.bpmn import BpmnError, BpmnProblem, CheckReport, check_bpmn, format_problem, load_process
from engine.bpmn.dialects import foreign_expression

OTHER_TOOLS = FIXTURES / "other_tools"
ALL_MODELS = sorted([*OTHER_TOOLS.glob("*.bpmn"), *FIXTURES.glob("*.bpmn")])

# What must never reach a reader: the engine's, the schema validator's, the XML parser's and Python's own words.
RAW_TEXT = (
    "must have an operator", "has no implementation", "No DMN Diagram", "Cannot resolve", "raise_validation_exception",
    "ValidationException", "unexpected keyword argument", "Expected is", "Missing child",
    "This element is not expected",
    "is not a valid value", "atomic type", "Element '", "line 1, column", "Opening and ending tag", "Premature end",
    "invalid syntax", "Traceback", "was not found", "Time Specification",
)
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+|<Element ")
EXCEPTION_NAME = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b")
# English words in a Chinese message, other than quoted model text, ids, tags and code.
ENGLISH_RUN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){3,}")


def _everything(report: CheckReport) -> list[BpmnProblem]:
    return report.problems + report.notes


def _unquoted(message: str) -> str:
    return re.sub(r"“[^”]*”|「[^」]*」|（[^（）]*[A-Za-z]{4}[^（）]*）|\"[^\"]*\"", "", message)


@pytest.mark.parametrize("path", ALL_MODELS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_model_is_checked_with_located_plain_messages(path: Path, lang: str) -> None:
    report = check_bpmn(path.read_bytes(), path.name, lang=lang)
    if path.parent == OTHER_TOOLS:
        assert _everything(report), "a model from another tool always gets something worth reading"
    for problem in _everything(report):
        shown = format_problem(problem, lang)
        assert problem.located, shown
        assert "\n" not in shown and "\r" not in shown, shown
        for raw in RAW_TEXT:
            assert raw not in problem.message, shown
        assert not MEMORY_ADDRESS.search(problem.message), shown
        assert not EXCEPTION_NAME.search(problem.message), shown
        if lang == "zh":
            assert not ENGLISH_RUN.search(_unquoted(problem.message)), shown


def _found(report: CheckReport) -> set[tuple[str, str | None]]:
    return {(p.code, p.element_id) for p in _everything(report)}


def test_camunda_7_model_names_every_unsupported_feature() -> None:
    data = fixture("other_tools/camunda7_permit.bpmn")
    report = check_bpmn(data, "camunda7.bpmn")
    assert report.verdict == "invalid" and not report.executable and report.displayable
    expected = {
        ("foreign.listener", "Process_permit"),  # execution listener on the process
        ("foreign.listener", "Task_accept"),  # task listener
        ("foreign.html_form", "StartEvent_apply"), ("foreign.html_form", "Task_accept"),
        ("foreign.timer", "Timer_accept"),  # ${acceptDuration}
        ("foreign.java", "Task_check"),  # camunda:class
        ("foreign.java", "Task_archive"),  # camunda:expression
        ("foreign.java", "Task_mail"),  # camunda:delegateExpression
        ("foreign.dmn", "Task_fee"),
        ("foreign.io_mapping", "Call_supplement"), ("call.missing", "Call_supplement"),
        ("foreign.groups", "Task_review"), ("foreign.due_date", "Task_review"),
        ("foreign.generated_form", "Task_review"),
        ("foreign.connector", "Task_http"),
        ("foreign.script_language", "Script_log"),
        ("foreign.tool_form", "Task_approve"),
        ("foreign.external_task", "Task_notify"),
        ("foreign.condition", "Flow_complete"), ("foreign.condition", "Flow_incomplete"),
        ("foreign.condition", "Flow_yes"), ("foreign.condition", "Flow_no"),
        ("note.ignored_settings", "Definitions_1q7x0vd"), ("note.kept", "Definitions_1q7x0vd"),
    }
    assert expected <= _found(report), sorted(expected - _found(report))
    # Named once, in the platform's words: not also as a Python syntax error or an engine complaint.
    codes = [p.code for p in report.problems]
    assert "condition.invalid" not in codes and "timer.syntax" not in codes and "script.invalid" not in codes
    assert "engine.rejected" not in codes and "service.no_operator" not in codes


def test_juel_conditions_are_quoted_with_their_python_form() -> None:
    report = check_bpmn(fixture("other_tools/camunda7_permit.bpmn"), "camunda7.bpmn")
    by_flow = {p.element_id: p.message for p in report.problems if p.code == "foreign.condition"}
    assert "“${complete}”" in by_flow["Flow_complete"] and by_flow["Flow_complete"].endswith("可改为：complete")
    assert by_flow["Flow_incomplete"].endswith("可改为：not complete")
    assert by_flow["Flow_yes"].endswith("可改为：approved and fee < 1000")
    assert "可改为" not in by_flow["Flow_no"] and "请按 Python 改写" in by_flow["Flow_no"]  # execution.getVariable(…)


def test_candidate_groups_in_juel_are_an_error_only_without_a_lane() -> None:
    body = linear(("Task_a", "受理申请")).replace(
        '<bpmn:userTask id="Task_a" name="受理申请">', '<bpmn:userTask id="Task_a" name="受理申请" '
        'camunda:candidateGroups="${group}" camunda:dueDate="${due}">')
    in_lane = check_bpmn(process(body), "t.bpmn")
    warning = next(p for p in in_lane.problems if p.code == "foreign.groups")
    assert warning.severity == "warning" and "“承办”" in warning.message and in_lane.executable
    assert next(p for p in in_lane.problems if p.code == "foreign.due_date").severity == "warning"
    no_lane = check_bpmn(process(body.replace("<bpmn:flowNodeRef>Task_a</bpmn:flowNodeRef>", "")), "t.bpmn")
    error = next(p for p in no_lane.problems if p.code == "foreign.groups")
    assert error.is_error and "泳道" in error.message
    assert "lane.missing" not in [p.code for p in no_lane.problems]  # one message for one cause


def test_camunda_8_model_is_read_with_its_feel_and_zeebe_extensions() -> None:
    report = check_bpmn(fixture("other_tools/camunda8_subsidy.bpmn"), "camunda8.bpmn", lang="en")
    expected = {("foreign.external_task", "Task_verify"), ("foreign.io_mapping", "Task_verify"),
                ("foreign.dmn", "Task_amount"), ("foreign.tool_form", "Task_review"), ("foreign.timer", "Timer_review"),
                ("foreign.condition", "Flow_yes"), ("foreign.condition", "Flow_no"), ("call.missing", "Call_pay")}
    assert expected <= _found(report), sorted(expected - _found(report))
    conditions = {p.element_id: p.message for p in report.problems if p.code == "foreign.condition"}
    assert conditions["Flow_no"].endswith("Write instead: not approved")
    # zeebe:assignmentDefinition's candidate groups are kept as Camunda 7's are: the task needs no lane.
    assert "lane.missing" not in [p.code for p in report.problems]


def test_flowable_model_names_delegates_listeners_forms_and_built_in_tasks() -> None:
    report = check_bpmn(fixture("other_tools/flowable_leave.bpmn"), "flowable.bpmn")
    expected = {("foreign.generated_form", "startEvent1"), ("foreign.listener", "approveTask"),
                ("foreign.java", "recordTask"), ("foreign.engine_task", "mailTask"),
                ("foreign.condition", "flow3"), ("foreign.condition", "flow4")}
    assert expected <= _found(report)
    assert "approved == True" in next(p.message for p in report.problems if p.element_id == "flow3")


@pytest.mark.parametrize("name", ["signavio_marriage.bpmn", "bizagi_hukou.bpmn", "adonis_social_aid.bpmn",
                                  "trisotech_tax_refund.bpmn", "ibm_business_license.bpmn"])
def test_descriptive_models_from_other_tools_are_displayable_with_notes(name: str) -> None:
    report = check_bpmn(fixture(f"other_tools/{name}"), name)
    assert report.verdict == "displayable" and report.displayable and report.errors == []
    codes = {p.code for p in report.notes}
    assert "note.vendor_extensions" in codes and "note.kept" in codes
    kept = next(p.message for p in report.notes if p.code == "note.kept")
    assert "泳道作为岗位" in kept


def test_descriptive_data_stores_and_worded_conditions_are_noted_not_errors() -> None:
    report = check_bpmn(fixture("other_tools/signavio_marriage.bpmn"), "signavio.bpmn")
    notes = {p.code: p for p in report.notes}
    store = notes["foreign.data_store"]
    assert store.element_id == "sid-archive-ref" and "档案库" in store.message
    assert notes["foreign.text_condition"].element_id == "sid-f-yes"
    assert all(p.severity == "info" for p in report.notes)


def test_names_drawn_on_two_lines_stay_on_one_line() -> None:
    report = check_bpmn(fixture("other_tools/camunda7_permit.bpmn"), "camunda7.bpmn")
    accept = next(p for p in report.problems if p.element_id == "Task_accept")
    assert accept.element_name == "受理 申请"
    assert "\n" not in format_problem(accept)


def test_data_store_message_and_broken_references_are_located() -> None:
    data = fixture("other_tools/bpmnio_broken_references.bpmn")
    report = check_bpmn(data, "refs.bpmn")
    by_code = {p.code: p for p in report.problems}
    assert by_code["foreign.data_store"].element_id == "Ref_archive"
    messages = {p.element_id: p for p in report.problems if p.code == "ref.event_missing"}
    assert "“Message_missing”" in messages["Throw_notice"].message
    assert "“Signal_missing”" in messages["Catch_reply"].message
    data_ref = by_code["ref.data_missing"]
    assert data_ref.element_id == "Task_search" and "“DataObjectReference_gone”" in data_ref.message
    assert data_ref.line == line_of(data, "<bpmn:targetRef>DataObjectReference_gone")


def _without(data: bytes, *parts: bytes) -> bytes:
    for part in parts:
        assert part in data
        data = data.replace(part, b"")
    return data


def test_the_engine_says_where_a_missing_message_is_instead_of_a_type_error() -> None:
    # load_process has none of the checker's rules: the engine's own complaint must already be plain and located.
    data = fixture("other_tools/bpmnio_broken_references.bpmn")
    data = re.sub(rb"<bpmn:dataStore id=.*?/>", b"", data)
    data = re.sub(rb"<bpmn:property id=\"Property_archive\".*?</bpmn:dataOutputAssociation>", b"", data, flags=re.S)
    with pytest.raises(BpmnError) as info:
        load_process(data, "refs.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "ref.event_missing" and problem.element_id == "Throw_notice"
    assert "Message_missing" in problem.message and "TypeError" not in problem.message


def test_the_engine_names_an_unresolved_data_association_without_a_memory_address() -> None:
    data = fixture("other_tools/bpmnio_broken_references.bpmn")
    data = _without(data, b' messageRef="Message_missing"', b' signalRef="Signal_missing"')
    data = re.sub(rb"<bpmn:dataStore id=.*?/>", b"", data)
    data = re.sub(rb"<bpmn:property id=\"Property_archive\".*?</bpmn:dataInputAssociation>", b"", data, flags=re.S)
    with pytest.raises(BpmnError) as info:
        load_process(data, "refs.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "ref.data_missing" and problem.element_id == "Task_search"
    assert "DataObjectReference_gone" in problem.message and not MEMORY_ADDRESS.search(problem.message)


def test_the_engine_locates_a_data_store_it_has_no_implementation_for() -> None:
    data = fixture("other_tools/bpmnio_broken_references.bpmn")
    with pytest.raises(BpmnError) as info:
        load_process(data, "refs.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "foreign.data_store" and problem.element_id == "DataStore_archive"
    assert problem.line == line_of(data, 'id="DataStore_archive"')


@pytest.mark.parametrize(("body", "code"), [
    ('<bpmn:serviceTask id="Task_s" name="核验" />', "service.no_operator"),
    ('<bpmn:businessRuleTask id="Task_s" name="核定" />', "foreign.dmn"),
])
def test_the_engine_words_tasks_it_cannot_run(body: str, code: str) -> None:
    data = process(linear(("Task_a", "受理申请")).replace(
        '<bpmn:endEvent id="EndEvent_1"', body + '\n<bpmn:endEvent id="EndEvent_1"').replace(
        'sourceRef="Task_a" targetRef="EndEvent_1"',
        'sourceRef="Task_a" targetRef="Task_s" /><bpmn:sequenceFlow id="Flow_s" sourceRef="Task_s" '
        'targetRef="EndEvent_1"'))
    report = check_bpmn(data, "t.bpmn")
    assert (code, "Task_s") in _found(report)
    with pytest.raises(BpmnError) as info:
        load_process(data, "t.bpmn")
    (problem,) = info.value.problems
    assert (problem.code, problem.element_id) == (code, "Task_s")
    assert "operator" not in problem.message and "None" not in problem.message


@pytest.mark.parametrize(("text", "language", "python"), [
    ("${approved}", "JUEL", "approved"),
    ("${!approved}", "JUEL", "not approved"),
    ("#{amount > 1000 && urgent}", "JUEL", "amount > 1000 and urgent"),
    ("${a == 'x' || empty b}", "JUEL", "a == 'x' or not b"),
    ("${approved eq true}", "JUEL", "approved == True"),
    ("${execution.getVariable('a')}", "JUEL", None),
    ("${ok ? 1 : 2}", "JUEL", None),
    ("第${n}号", "JUEL", None),
    ("=approved", "FEEL", "approved"),
    ("=not(approved)", "FEEL", "not approved"),
    ('= status = "ok" and amount >= 5', "FEEL", 'status == "ok" and amount >= 5'),
])
def test_foreign_expressions_and_their_python(text: str, language: str, python: str | None) -> None:
    found = foreign_expression(text)
    assert found is not None and found.language == language and found.python == python


@pytest.mark.parametrize("text", ["approved", "a == 1", "not approved", "workdays(2)", "'P2D'", ""])
def test_python_is_not_taken_for_another_engine(text: str) -> None:
    assert foreign_expression(text) is None
