"""Starting cases and completing steps through the runtime, on every database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from engine.bpmn.rules.timers import CASE_START_DATA
from engine.inbox import inbox
from engine.runtime.cases import complete_task, start_case, start_data
from engine.runtime.deploy import deploy
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.sandbox import RestrictedEnvironment
from engine.store import AuditEvent, Case, Power, StepRecord, WaitingTimer
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, open_steps


def test_the_linter_knows_exactly_the_data_every_case_starts_with():
    # Timer expressions may read these names; the linter and start_case each keep the list, so they must agree.
    assert set(start_data(APPLICANT, "申请", "P-1", "许可")) == CASE_START_DATA


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_new_case_waits_in_the_accepting_post_inbox(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请食品经营许可（新办）", actor="clerk")

    assert case.serial == "CSJ-20261123-0001"
    [task] = open_steps(rt, case.id)
    assert (task.name, task.lane) == ("受理申请", "受理")
    # workdays(1) from Monday 10:00: the period ends at 24:00 Beijing on Tuesday.
    assert task.due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    # A limit this short warns half way through its working time: 05:00 Tuesday, Beijing.
    assert task.warn_at == datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    with rt.sessions() as s:
        assert [r.task_id for r in inbox(s, org.clerk.id)] == [task.id]
        assert inbox(s, org.reviewer.id) == []
        assert inbox(s, org.outsider.id) == []
        assert s.execute(select(func.count()).select_from(WaitingTimer)).scalar() == 1
    # The promised limit (5 working days) is tracked on the case.
    assert case.promised_due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_serials_count_up_within_the_day(rt, org, power):
    serials = [start_case(rt, power.code, APPLICANT, f"申请 {i}", actor="clerk").serial for i in range(3)]
    assert serials == ["CSJ-20261123-0001", "CSJ-20261123-0002", "CSJ-20261123-0003"]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_completing_a_step_moves_the_case_to_the_next_post(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)

    complete_task(rt, accept.id, {"opinion": "材料齐全，予以受理", "materials_complete": "true"}, org.clerk)

    [review] = open_steps(rt, case.id)
    assert (review.name, review.lane) == ("审核", "审核")
    with rt.sessions() as s:
        assert inbox(s, org.clerk.id) == []
        assert [r.task_id for r in inbox(s, org.reviewer.id)] == [review.id]
        [step] = s.execute(select(StepRecord)).scalars().all()
        assert step.data == {"opinion": "材料齐全，予以受理", "materials_complete": True}
        assert step.actor == "clerk"
        actions = s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
        assert actions == ["process.deploy", "case.start", "task.complete"]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_the_whole_path_ends_at_the_modelled_end(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(rt, case.id)
    done = complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)

    assert (done.status, done.end_name) == ("completed", "准予许可")
    assert open_steps(rt, case.id) == []
    with rt.sessions() as s:
        assert s.execute(select(func.count()).select_from(WaitingTimer)).scalar() == 0


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_bad_form_gets_field_messages_and_changes_nothing(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(rt, case.id)

    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, review.id, {"result": "reject", "opinion": "不符合", "amount": "十元"}, org.reviewer)
    assert err.value.code == "form.invalid"
    assert err.value.fields == {"amount": "请填写数字。", "reason": "此项为必填项。"}

    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, review.id, {"result": "maybe", "opinion": "x"}, org.reviewer, lang="en")
    assert err.value.fields == {"result": "Choose one of the listed options."}

    # Text Python reads as a float but no amount is (and JSON cannot hold): refused like any other non-number.
    for not_an_amount in ("NaN", "inf", "-Infinity", "1e400"):
        with pytest.raises(RuntimeProblem) as err:
            complete_task(rt, review.id, {"result": "reject", "opinion": "不符合", "reason": "材料不实",
                                          "amount": not_an_amount}, org.reviewer)
        assert err.value.fields == {"amount": "请填写数字。"}, not_an_amount

    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, review.id, {"result": "pass", "opinion": "x", "_getattr_": "boom"}, org.reviewer)
    assert "_getattr_" in err.value.fields

    assert [t.id for t in open_steps(rt, case.id)] == [review.id]
    with rt.sessions() as s:
        assert s.execute(select(func.count()).select_from(StepRecord)).scalar() == 1


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_only_holders_of_the_post_may_work_a_step(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, accept.id, {"opinion": "越权"}, org.reviewer)
    assert err.value.code == "task.not_allowed"

    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, accept.id, {"opinion": "再次"}, org.clerk)
    assert err.value.code == "task.not_found"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_unknown_power_and_incomplete_applicant_are_refused(rt, org, power):
    with pytest.raises(RuntimeProblem) as err:
        start_case(rt, "NO-SUCH", APPLICANT, "申请", actor="clerk")
    assert err.value.code == "power.not_found"
    with pytest.raises(RuntimeProblem) as err:
        start_case(rt, power.code, APPLICANT.__class__("张三", "居民身份证", "", ""), "申请", actor="clerk")
    assert err.value.code == "case.invalid"
    assert err.value.fields == {"applicant_id_number": "required", "applicant_contact": "required"}
    # Longer than the case row holds: refused, never cut (PostgreSQL would refuse the row with a 500).
    with pytest.raises(RuntimeProblem) as err:
        start_case(rt, power.code, APPLICANT.__class__("张" * 201, "居民身份证", "1", "2"), "申" * 301, actor="clerk")
    assert err.value.fields == {"applicant_name": "too_long", "subject": "too_long"}


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_stored_workflow_leaves_out_the_spec_and_reloads_sandboxed(rt, org, power, db):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    with rt.sessions() as s:
        stored = s.get(Case, case.id)
        assert '"spec"' not in stored.workflow_json
        fresh = Runtime(db.sessions, rt.settings)  # a new process: empty spec cache
        stored.process_version  # noqa: B018 - load the relationship inside the session
        workflow = fresh.restore(stored)
    assert isinstance(workflow.script_engine.environment, RestrictedEnvironment)
    [accept] = open_steps(rt, case.id)
    complete_task(fresh, accept.id, {"opinion": "受理"}, org.clerk)
    assert [t.name for t in open_steps(rt, case.id)] == ["审核"]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_limit_taken_from_an_earlier_form_counts_that_many_working_days(rt, org):
    with rt.sessions.begin() as s:
        # The linter warns that 审核's limit is only known once 受理 has set it, and lets it deploy.
        deploy(s, (HERE / "fixtures" / "permit_days.bpmn").read_bytes(), "permit_days.bpmn", author="legal",
               forms=rt.forms, posts={"受理", "审核"})
        s.add(Power(code="510000-CSJ-XK-002", name="测试许可（核定期限）", category="license",
                    department_id=org.department.id, process_key="test_permit_days", legal_limit_days=20,
                    promised_limit_days=10))
    case = start_case(rt, "510000-CSJ-XK-002", APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理，复杂事项核定审核期限 5 个工作日", "review_days": "5"}, org.clerk)
    [review] = open_steps(rt, case.id)
    # Five working days from Monday 23 November: Monday 30 November, 24:00 Beijing.
    assert review.due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
