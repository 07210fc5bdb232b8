"""The in-memory copy of recently changed workflows never outlives the database's truth."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine.runtime.cases import complete_task, start_case
from engine.runtime.errors import RuntimeProblem
from engine.runtime.live import IndexState, Live, LiveCases
from engine.runtime.runtime import Runtime
from engine.runtime.timers import fire_due_timers
from engine.store import AuditEvent, Case, StepRecord
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, open_steps
from tests.settings import make_settings


def _other_process(rt: Runtime, **settings: object) -> Runtime:
    """A second runtime on the same database: what another web worker or the supervisor process holds."""
    return Runtime(rt.sessions, make_settings(database_url=rt.settings.database_url, forms_dir=HERE / "forms",
                                         **settings))  # type: ignore[arg-type]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_step_completed_by_another_process_is_seen_by_this_one(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    assert len(rt.live) == 1  # this process remembers the case it just started
    [accept] = open_steps(rt, case.id)

    complete_task(_other_process(rt), accept.id, {"opinion": "受理"}, org.clerk)

    # This process's copy is one version behind; it must load the stored workflow, where 审核 is open.
    [review] = open_steps(rt, case.id)
    done = complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)
    assert (done.status, done.end_name) == ("completed", "准予许可")
    with rt.reader() as s:
        assert s.execute(select(StepRecord.name).order_by(StepRecord.id)).scalars().all() == ["受理申请", "审核"]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_step_that_fails_after_changing_the_workflow_leaves_nothing_half_done(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    failures = ["once"]

    def refuse_once(_event: object) -> None:
        if failures:
            failures.pop()
            raise RuntimeProblem("catalog.not_ready", details="模拟：后续处理失败")

    # An after-hook runs once the step has already moved the workflow on; its failure rolls everything back.
    rt.hooks.after("test_permit", "accept", refuse_once)
    with pytest.raises(RuntimeProblem):
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    assert [t.name for t in open_steps(rt, case.id)] == ["受理申请"]

    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    assert [t.name for t in open_steps(rt, case.id)] == ["审核"]
    with rt.reader() as s:
        assert s.execute(select(func.count()).select_from(StepRecord)).scalar() == 1
        completions = select(func.count()).where(AuditEvent.action == "task.complete")
        assert s.execute(completions).scalar() == 1


def test_a_limit_fired_by_the_supervisor_process_wins_over_this_process_s_copy(rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
    supervisor = _other_process(rt)
    with time_machine.travel(MONDAY_10_BJ + timedelta(days=10), tick=False):
        assert fire_due_timers(supervisor, case.id)
        # The interrupting limit ended the case; the reviewer's stale view cannot complete the step.
        with pytest.raises(RuntimeProblem):
            complete_task(rt, review.id, {"result": "pass", "opinion": "迟到的审核", "amount": "0"}, org.reviewer)
    with rt.reader() as s:
        stored = s.get(Case, case.id)
        assert stored is not None and (stored.status, stored.end_name) == ("completed", "超期移交督办")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_the_cache_can_be_turned_off(rt, org, power):
    plain = _other_process(rt, live_cases=0)
    case = start_case(plain, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(plain, case.id)
    complete_task(plain, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(plain, case.id)
    refusal = {"result": "reject", "opinion": "不符合", "reason": "材料不实"}
    done = complete_task(plain, review.id, refusal, org.reviewer)
    assert (done.status, done.end_name, len(plain.live)) == ("completed", "不予许可", 0)


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_finished_case_is_not_kept(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    assert len(rt.live) == 1
    [review] = open_steps(rt, case.id)
    done = complete_task(rt, review.id, {"result": "reject", "opinion": "不符合", "reason": "材料不实"}, org.reviewer)
    # Nothing can change a finished case's workflow, so its memory goes to cases still running.
    assert (done.status, len(rt.live)) == ("completed", 0)


def test_entries_are_taken_out_and_the_least_recent_go_first():
    cache = LiveCases(size=2)
    for case_id in (1, 2, 3):
        cache.keep(case_id, Live(f"S-{case_id}", 4, workflow=None, index=IndexState()))  # type: ignore[arg-type]
    assert len(cache) == 2 and cache.take(1, "S-1", 4) is None  # evicted
    assert cache.take(2, "S-2", 5) is None  # another version was committed since
    assert cache.take(2, "S-2", 4) is None  # …and the stale entry is gone
    live = cache.take(3, "S-3", 4)
    assert live is not None and live.serial == "S-3"
    assert cache.take(3, "S-3", 4) is None  # taken: nobody else can use it while it changes
