"""SunshineBpmnParser and load_process: Camunda attributes kept, timers normalised, errors located."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bpmn_builder import fixture, line_of, linear, process, user_task
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import SERIALIZER_CONFIG, BpmnError, load_process


def _ready(wf: BpmnWorkflow) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.READY, manual=True))


def test_good_process_loads_with_lanes_and_spiff_properties() -> None:
    loaded = load_process(fixture("good.bpmn"), "good.bpmn")
    assert loaded.process_id == "Process_license"
    assert loaded.name == "食品经营许可"
    assert loaded.executable is True
    assert loaded.subprocess_specs == {}
    accept = loaded.spec.task_specs["Task_accept"]
    assert accept.lane == "受理"
    assert accept.extensions["properties"] == {"formJsonSchemaFilename": "accept-schema.json"}
    assert loaded.tree.getroot().get("id") == "Definitions_license"


def test_camunda_attributes_and_properties_are_kept() -> None:
    loaded = load_process(fixture("camunda.bpmn"), "camunda.bpmn")
    ext = loaded.spec.task_specs["Task_review"].extensions
    assert ext["candidateGroups"] == "审核,批准"
    assert ext["candidateUsers"] == "zhang,li"
    assert ext["assignee"] == "${initiator}"
    assert ext["dueDate"] == "P2D"
    assert ext["formKey"] == "review-form"
    assert ext["properties"] == {"decision": "true", "retention": "10y"}


def test_spiff_and_camunda_properties_merge_with_spiff_winning() -> None:
    extra = (
        "<bpmn:extensionElements>"
        '<camunda:properties><camunda:property name="a" value="camunda" />'
        '<camunda:property name="b" value="camunda" /></camunda:properties>'
        '<spiffworkflow:properties><spiffworkflow:property name="b" value="spiff" />'
        "</spiffworkflow:properties>"
        "</bpmn:extensionElements>"
    )
    body = linear(("Task_a", "受理申请")).replace(
        '<bpmn:userTask id="Task_a" name="受理申请"></bpmn:userTask>',
        f'<bpmn:userTask id="Task_a" name="受理申请">{extra}</bpmn:userTask>',
    )
    loaded = load_process(process(body), "merge.bpmn")
    assert loaded.spec.task_specs["Task_a"].extensions["properties"] == {"a": "camunda", "b": "spiff"}


def test_bare_p2d_timer_fires_when_time_moves() -> None:
    loaded = load_process(fixture("camunda.bpmn"), "camunda.bpmn")
    definition = loaded.spec.task_specs["Timer_review"].event_definition
    assert isinstance(definition, DurationTimerEventDefinition)
    assert definition.expression == "'P2D'"

    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
        wf.do_engine_steps()
        assert _ready(wf) == ["Task_review"]
    with time_machine.travel(start + timedelta(days=1, hours=23), tick=False):
        wf.refresh_timers()
        wf.do_engine_steps()
        assert _ready(wf) == ["Task_review"]
    with time_machine.travel(start + timedelta(days=2, minutes=1), tick=False):
        wf.refresh_timers()
        wf.do_engine_steps()
        assert _ready(wf) == ["Task_escalate"]


def test_serializer_round_trip_keeps_extensions_and_timer() -> None:
    loaded = load_process(fixture("camunda.bpmn"), "camunda.bpmn")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
        wf.do_engine_steps()
        blob = serializer.serialize_json(wf)
    restored = serializer.deserialize_json(blob)
    review = restored.spec.task_specs["Task_review"]
    assert review.extensions["candidateGroups"] == "审核,批准"
    assert review.extensions["properties"]["retention"] == "10y"
    with time_machine.travel(start + timedelta(days=3), tick=False):
        restored.refresh_timers()
        restored.do_engine_steps()
        assert _ready(restored) == ["Task_escalate"]


def test_good_process_round_trips_through_the_serializer() -> None:
    loaded = load_process(fixture("good.bpmn"), "good.bpmn")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
    wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    restored = serializer.deserialize_json(serializer.serialize_json(wf))
    assert restored.spec.task_specs["Task_accept"].lane == "受理"
    timer = restored.spec.task_specs["Timer_accept"].event_definition
    assert isinstance(timer, TimeDateEventDefinition)
    assert timer.expression == "workdays(1)"


@pytest.mark.parametrize(
    ("field", "text", "kind", "expression"),
    [
        ("timeDuration", "workdays(3)", TimeDateEventDefinition, "workdays(3)"),
        ("timeDuration", "workhours(4)", TimeDateEventDefinition, "workhours(4)"),
        ("timeDuration", "PT4H", DurationTimerEventDefinition, "'PT4H'"),
        ("timeDuration", '"P2D"', DurationTimerEventDefinition, '"P2D"'),
        ("timeDate", "2027-01-05T09:00:00+08:00", TimeDateEventDefinition, "'2027-01-05T09:00:00+08:00'"),
        ("timeDate", "P2D", DurationTimerEventDefinition, "'P2D'"),
        ("timeCycle", "R3/PT1H", CycleTimerEventDefinition, "'R3/PT1H'"),
    ],
)
def test_timer_text_normalisation(field: str, text: str, kind: type, expression: str) -> None:
    body = linear(("Task_a", "受理申请"), timer=None).replace(
        '<bpmn:endEvent id="EndEvent_1"',
        '<bpmn:boundaryEvent id="Timer_a" cancelActivity="false" attachedToRef="Task_a">'
        f"<bpmn:timerEventDefinition><bpmn:{field}>{text}</bpmn:{field}></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent>\n<bpmn:endEvent id="EndEvent_1"',
    )
    loaded = load_process(process(body), "timer.bpmn")
    definition = loaded.spec.task_specs["Timer_a"].event_definition
    assert type(definition) is kind
    assert definition.expression == expression


def test_workdays_duration_timer_runs_as_a_date_timer() -> None:
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

    body = linear(("Task_a", "受理申请"), timer=None).replace(
        '<bpmn:endEvent id="EndEvent_1"',
        '<bpmn:boundaryEvent id="Timer_a" attachedToRef="Task_a">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>workdays(3)</bpmn:timeDuration>"
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n<bpmn:endEvent id="EndEvent_1"',
    )
    loaded = load_process(process(body), "timer.bpmn")

    def workdays(n: int) -> str:
        # A stand-in calendar: calendar days, enough to see the timer scheduled and fired.
        return (datetime.now(UTC) + timedelta(days=n)).isoformat()

    engine = PythonScriptEngine(environment=TaskDataEnvironment({"workdays": workdays}))
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=engine)
        wf.do_engine_steps()
        assert _ready(wf) == ["Task_a"]
    with time_machine.travel(start + timedelta(days=2, hours=23), tick=False):
        wf.refresh_timers()
        wf.do_engine_steps()
        assert _ready(wf) == ["Task_a"]
    with time_machine.travel(start + timedelta(days=3, seconds=1), tick=False):
        wf.refresh_timers()
        wf.do_engine_steps()
        assert _ready(wf) == []
        states = {t.task_spec.bpmn_id: t.state for t in wf.get_tasks() if t.task_spec.bpmn_id}
        assert states["Timer_a"] == TaskState.COMPLETED
        assert states["Task_a"] == TaskState.CANCELLED


def test_several_executable_processes_are_refused() -> None:
    data = process(linear(("Task_a", "受理申请"))).replace(
        b"</bpmn:definitions>",
        b'<bpmn:process id="Process_second" isExecutable="true"><bpmn:startEvent id="S2" /></bpmn:process>\n'
        b"</bpmn:definitions>",
    )
    with pytest.raises(BpmnError) as info:
        load_process(data, "two.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "process.multiple_executable"
    assert problem.element_id == "Process_second"
    assert problem.line == line_of(data, 'id="Process_second"')


def test_the_executable_process_is_picked_among_descriptive_ones() -> None:
    data = process(linear(("Task_a", "受理申请"))).replace(
        b"</bpmn:definitions>",
        b'<bpmn:process id="Process_public" isExecutable="false"><bpmn:startEvent id="S2" /></bpmn:process>\n'
        b"</bpmn:definitions>",
    )
    assert load_process(data, "mixed.bpmn").process_id == "Process_t"


def test_descriptive_model_cannot_be_loaded_for_execution() -> None:
    with pytest.raises(BpmnError) as info:
        load_process(fixture("descriptive.bpmn"), "descriptive.bpmn")
    assert [p.code for p in info.value.problems] == ["process.not_executable"]


def test_unknown_element_is_located_by_the_schema() -> None:
    data = process(linear(("Task_a", "受理申请")) + '<bpmn:fooTask id="Foo" name="怪任务" />\n')
    with pytest.raises(BpmnError) as info:
        load_process(data, "foo.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "xsd.unexpected_element"
    assert problem.line == line_of(data, "<bpmn:fooTask")
    assert "bpmn:fooTask" in problem.message


def test_engine_errors_get_a_line_from_the_element_id() -> None:
    body = linear(("Task_a", "受理申请")).replace(
        '<bpmn:sequenceFlow id="Flow_1" sourceRef="Task_a" targetRef="EndEvent_1" />',
        '<bpmn:sequenceFlow id="Flow_1" sourceRef="Task_a" targetRef="Nowhere" />',
    )
    data = process(body)
    with pytest.raises(BpmnError) as info:
        load_process(data, "missing.bpmn")
    (problem,) = info.value.problems
    assert problem.code == "flow.target_missing"
    assert problem.element_id == "Task_a"
    assert problem.line == line_of(data, 'id="Task_a"')
    assert "Nowhere" in problem.message


def test_bad_bytes_raise_bpmn_error_not_lxml_errors() -> None:
    with pytest.raises(BpmnError) as info:
        load_process(b"\x00\x01\x02", "junk.bpmn")
    assert info.value.problems[0].code == "xml.binary"


def test_user_task_helper_shape() -> None:
    # Guards the builder the rule tests rely on.
    assert 'attachedToRef="T"' in user_task("T", "审核")
