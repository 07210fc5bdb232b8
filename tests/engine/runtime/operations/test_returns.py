"""退回: along a modelled arrow without a reason, elsewhere with one (recorded as irregular for P1); the reopened
step carries the reason, goes back to its handler and opens with their earlier answers."""

from __future__ import annotations

import pytest
import time_machine

from engine.casefile import step_file
from engine.runtime.cases import complete_task
from engine.runtime.operations import OperationRefused
from engine.runtime.operations.offers import return_targets
from engine.runtime.operations.reopened import RETURNED, reopened_values
from engine.runtime.operations.returns import return_to
from tests.engine.runtime.operations.conftest import (
    ACCEPT,
    HANDLE,
    bj,
    case_row,
    events,
    new_licence,
    step,
    timers,
    user,
    work,
)


@pytest.fixture
def reviewing(rt):
    """A licence case accepted and handled, waiting at 审核 since Tuesday 24 November 10:00."""
    case = new_licence(rt, bj(11, 23, 10))
    work(rt, case.id, "shouli", ACCEPT, bj(11, 23, 11))
    work(rt, case.id, "chengban", HANDLE, bj(11, 24, 10))
    return case


def test_the_page_offers_the_earlier_steps_marking_the_modelled_return(rt, reviewing):
    with rt.reader() as s:
        file = step_file(s, step(rt, reviewing.id).id)
        targets = return_targets(rt, file.case, file.step, file.history)
    assert [(t.bpmn_id, t.name, t.modelled) for t in targets] == [
        ("accept", "受理", False), ("handle", "承办审查", True)]


def test_a_return_along_a_modelled_arrow_needs_no_reason(rt, reviewing):
    review = step(rt, reviewing.id)
    with time_machine.travel(bj(11, 24, 14), tick=False):
        reopened = return_to(rt, review.id, user(rt, "shenhe"), "handle", "")
    handle = step(rt, reviewing.id)
    assert (handle.id, handle.bpmn_id, handle.returned_reason) == (reopened, "handle", "")
    assert handle.assignee_id == user(rt, "chengban").id  # back to whoever worked it
    [event] = events(rt, reviewing.id, "case.returned")
    assert (event.payload["irregular"], event.payload["to_bpmn_id"], event.payload["to"]) == (
        False, "handle", "承办审查")


def test_a_return_outside_the_arrows_needs_a_reason_and_is_recorded_as_irregular(rt, reviewing):
    review = step(rt, reviewing.id)
    with pytest.raises(OperationRefused) as refused:
        return_to(rt, review.id, user(rt, "shenhe"), "accept", "  ")
    assert refused.value.fields == {"reason": "op.reason_required"}
    assert step(rt, reviewing.id).id == review.id  # nothing changed

    with time_machine.travel(bj(11, 24, 14), tick=False):
        reopened = return_to(rt, review.id, user(rt, "shenhe"), "accept", "申请人身份证明有误，须重新受理核对")
    accept = step(rt, reviewing.id)
    assert (accept.id, accept.bpmn_id, accept.name) == (reopened, "accept", "受理")
    assert accept.returned_reason == "申请人身份证明有误，须重新受理核对"
    assert accept.assignee_id == user(rt, "shouli").id
    # Its limit runs afresh from the return: one working day, to Wednesday 25 November 24:00.
    assert accept.due_at == bj(11, 26)
    assert [(t.bpmn_id, t.fire_at) for t in timers(rt, reviewing.id)] == [("accept_time_limit", bj(11, 26))]
    [event] = events(rt, reviewing.id, "case.returned")
    assert event.actor == "shenhe" and event.step == "审核"
    assert (event.payload["from"], event.payload["to"]) == ("审核", "受理")
    assert (event.payload["from_bpmn_id"], event.payload["to_bpmn_id"]) == ("review", "accept")
    assert (event.payload["irregular"], event.payload["reason"], event.payload["to_actor"]) == (
        True, "申请人身份证明有误，须重新受理核对", "shouli")

    # The clerk's earlier answers (and their own opinion) come back when they open it.
    with rt.reader() as s:
        file = step_file(s, accept.id)
        values, how = reopened_values(s, file.step, user(rt, "shouli"), rt.forms.get(accept.form), {}, file.history)
    assert how == RETURNED
    assert (values["business_address"], values["entity_type"], values["opinion"]) == (
        "示范市老街88号", "catering", "材料齐全，予以受理。")

    # Worked again, the case moves on as modelled.
    work(rt, reviewing.id, "shouli", ACCEPT, bj(11, 25, 9))
    assert step(rt, reviewing.id).bpmn_id == "handle"
    assert step(rt, reviewing.id).returned_reason is None


def test_only_earlier_steps_of_the_case_and_only_by_who_may_work_it(rt, reviewing):
    review = step(rt, reviewing.id)
    with pytest.raises(OperationRefused) as refused:
        return_to(rt, review.id, user(rt, "shenhe"), "approve", "想跳过")
    assert (refused.value.code, refused.value.fields) == ("return.no_target", {"target": "return.no_target"})
    with pytest.raises(OperationRefused) as refused:
        return_to(rt, review.id, user(rt, "chengban"), "handle", "")
    assert refused.value.code == "op.not_allowed"
    # The department head may return any step of the department.
    with time_machine.travel(bj(11, 24, 14), tick=False):
        return_to(rt, review.id, user(rt, "pizhun"), "handle", "退回补充现场核查")
    assert step(rt, reviewing.id).bpmn_id == "handle"
    assert case_row(rt, reviewing.id).status == "running"


def test_a_returned_step_is_worked_from_a_fresh_workflow_too(rt, reviewing):
    """The reset workflow is stored: a process that never held it in memory works the step the same way."""
    review = step(rt, reviewing.id)
    with time_machine.travel(bj(11, 24, 14), tick=False):
        return_to(rt, review.id, user(rt, "shenhe"), "handle", "")
    rt.live = type(rt.live)(0)  # nothing kept in memory
    handle = step(rt, reviewing.id)
    with time_machine.travel(bj(11, 24, 16), tick=False):
        complete_task(rt, handle.id, HANDLE, user(rt, "chengban"))
    assert step(rt, reviewing.id).bpmn_id == "review"
