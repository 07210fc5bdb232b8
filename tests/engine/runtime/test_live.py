"""The in-memory copy of recently changed workflows never outlives the database's truth."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine import audit
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


def test_a_limit_that_left_the_step_open_is_seen_by_the_process_that_kept_the_case(rt, org, power):
    """This process keeps the case at 受理; the supervisor fires 受理's limit (non-interrupting: the step stays
    open) in another process. The step's case is locked without its stored workflow (a copy is kept here), the
    copy turns out older, and the stored workflow is read after all."""
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, case.id)
    with time_machine.travel(MONDAY_10_BJ + timedelta(days=2), tick=False):
        assert fire_due_timers(_other_process(rt), case.id)
        assert len(rt.live) == 1  # still the copy from before the limit fired
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    assert [t.name for t in open_steps(rt, case.id)] == ["审核"]
    with rt.reader() as s:
        fired = select(func.count()).where(AuditEvent.action == "timer.fired", AuditEvent.case_id == case.id)
        assert s.execute(fired).scalar() == 1  # fired once, by the supervisor: this process's copy did not fire it
    with rt.sessions() as s:
        assert audit.verify(s).ok


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


def test_the_cache_knows_the_open_steps_of_what_it_keeps():
    cache = LiveCases(size=1)
    cache.keep(1, Live("S-1", 1, workflow=None, index=IndexState(tasks={"a"})))  # type: ignore[arg-type]
    cache.keep(1, Live("S-1", 2, workflow=None, index=IndexState(tasks={"b"})))  # type: ignore[arg-type]
    assert (cache.case_of("a"), cache.case_of("b"), cache.holds(1)) == (None, 1, True)
    cache.keep(2, Live("S-2", 1, workflow=None, index=IndexState(tasks={"c"})))  # type: ignore[arg-type]
    assert (cache.case_of("b"), cache.case_of("c"), cache.holds(1)) == (None, 2, False)  # 1 evicted
    cache.take(2, "S-2", 1)
    assert (cache.case_of("c"), cache.holds(2), len(cache)) == (None, False, 0)


def test_the_cache_is_bounded_by_the_size_of_what_it_keeps_too():
    """A department with very large cases keeps fewer of them in memory, not the same number."""
    cache = LiveCases(size=10, max_chars=100)
    for case_id in (1, 2, 3):
        cache.keep(case_id, Live(f"S-{case_id}", 1, workflow=None, index=IndexState(), chars=40))  # type: ignore[arg-type]
    assert (len(cache), cache.chars, cache.holds(1)) == (2, 80, False)  # the oldest went to make room
    cache.keep(4, Live("S-4", 1, workflow=None, index=IndexState(), chars=101))  # type: ignore[arg-type]
    assert (len(cache), cache.holds(4)) == (2, False)  # larger than the whole budget: not kept at all
    cache.take(2, "S-2", 1)
    assert (len(cache), cache.chars) == (1, 40)
