"""The workflow codec saves exactly what SpiffWorkflow's own serialiser would, step after step."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import time_machine
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.codec import WorkflowCodec
from engine.store import ProcessVersion
from tests.engine.conftest import MONDAY_10_BJ

LICENCE = Path(__file__).parents[3] / "processes" / "license_food_business.bpmn"
#: Answers for the licence's decisions, in the order its steps come up: a supplement round, then approval.
ANSWERS = [{"accept_result": "supplement"}, {"supplement_received": True}, {"accept_result": "accept"},
           {"handle_opinion": "符合条件"}, {"review_result": "pass"}, {"approve_result": "approve"}, {"done": True}]


def _same_as_spiffworkflow(codec: WorkflowCodec, plain: WorkflowCodec, workflow: BpmnWorkflow) -> str:
    saved = codec.dumps(workflow)
    assert json.loads(saved) == json.loads(plain.dumps(workflow))
    return saved


def test_remembered_finished_tasks_never_go_stale(rt):
    """Finished tasks' dictionaries are reused between saves; through a supplement loop, a fired timer and a
    restore halfway, every save still equals a fresh conversion of the whole workflow."""
    codec, plain = WorkflowCodec(), WorkflowCodec(remember_finished=False)
    version = ProcessVersion(id=-1, process_key="license_food_business", version=1,
                             bpmn_xml=LICENCE.read_text(encoding="utf-8"), filename=LICENCE.name)
    with time_machine.travel(MONDAY_10_BJ, tick=False) as traveller:
        workflow = codec.new_workflow(version)
        workflow.script_engine = rt.script_engine
        workflow.do_engine_steps()
        saved = _same_as_spiffworkflow(codec, plain, workflow)
        traveller.shift(timedelta(days=3))  # 受理's limit passes: its non-interrupting timer fires
        workflow.refresh_timers()
        workflow.do_engine_steps()
        saved = _same_as_spiffworkflow(codec, plain, workflow)
        for number, answer in enumerate(ANSWERS):
            if number == 3:  # from here on, a workflow restored from the database, with nothing remembered
                workflow = codec.loads(saved, version)
                workflow.script_engine = rt.script_engine
            [task] = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            task.set_data(**answer)
            task.run()
            workflow.do_engine_steps()
            saved = _same_as_spiffworkflow(codec, plain, workflow)
    assert workflow.completed
    assert [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.manual] == [
        "accept", "supplement", "accept", "handle", "review", "approve", "conclude"]


def test_the_least_recently_used_versions_are_parsed_again_when_too_many_are_kept():
    codec = WorkflowCodec(keep_parsed=2)
    versions = [ProcessVersion(id=n, process_key="license_food_business", version=n,
                               bpmn_xml=LICENCE.read_text(encoding="utf-8"), filename=LICENCE.name) for n in (1, 2, 3)]
    first = codec.parsed(versions[0])
    codec.parsed(versions[1])
    assert codec.parsed(versions[0]) is first  # used again: now the most recent
    codec.parsed(versions[2])
    loads: list[int] = []

    def load(n: int) -> ProcessVersion:
        loads.append(n)
        return versions[n - 1]

    assert len(codec) == 2
    assert codec.parsed_id(1, lambda: load(1)) is first and loads == []  # kept
    codec.parsed_id(2, lambda: load(2))
    assert loads == [2] and len(codec) == 2  # the least recently used went, and is read and parsed again
