"""督办 (seed 003 第九条): the department reports within 20 working days, may ask once for at most 10 more, which a
supervisor grants or refuses; the directive warns one working day before its deadline and goes red once past it."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.store import Alert, AuditEvent, Department, OpenTask, Post, WaitingTimer
from engine.store.alert_life import Directive
from engine.supervision import directives
from engine.supervision.errors import SupervisionProblem
from engine.supervisor.tick import tick
from tests.engine.supervision.conftest import bj, do, inbox_names, red_alert, task_of, user

REPORT = {"opinion": "经调查，系窗口人员休假未交接所致，已对责任人批评教育并建立AB岗制度。"}


def _department(rt, code="SCJGJ") -> int:
    with rt.reader() as s:
        return s.execute(select(Department.id).where(Department.code == code)).scalar_one()


def _issue(rt, at, **target):
    with time_machine.travel(at, tick=False):
        return directives.issue(rt, user(rt, "jiancha"), subject="窗口受理超时问题", requirement="查明原因，整改并上报",
                                **(target or {"department_id": _department(rt)}))


def _now(rt, directive_id) -> Directive:
    with rt.reader() as s:
        return s.get_one(Directive, directive_id)


def _alerts(rt, directive: Directive) -> list[tuple[str, str, str]]:
    with rt.reader() as s:
        return [(a.rule, a.subject, a.status) for a in s.execute(
            select(Alert).where(Alert.case_id == directive.own_case_id).order_by(Alert.id)).scalars()]


def _tick(rt, at):
    with time_machine.travel(at, tick=False):
        tick(rt, at)


def test_a_directive_is_due_in_20_working_days_across_national_day_and_reaches_the_head(rt):
    directive = _issue(rt, bj(9, 30, 10))
    # 09-30 + 20 working days: 10-08 … (10-10 is a make-up Saturday) … 11-03 → 11-03 24:00.
    assert directive.due_at == bj(11, 4)
    assert directive.next_alert_at == bj(11, 3)  # one working day before: 11-02 24:00
    assert (directive.state, directive.target) == ("open", "department")
    step = task_of(rt, directive.own_case_id)
    with rt.reader() as s:
        assert s.get_one(Post, step.post_id).name == "负责人"
    assert "上报调查处理情况" in inbox_names(rt, "pizhun")


def test_only_a_supervisor_issues_and_bad_input_says_which_field(rt):
    with pytest.raises(SupervisionProblem) as refused:
        directives.issue(rt, user(rt, "pizhun"), subject="x", requirement="y", department_id=_department(rt))
    assert refused.value.code == "supervision.not_allowed"
    with pytest.raises(SupervisionProblem) as invalid:
        directives.issue(rt, user(rt, "jiancha"), subject=" ", requirement="", department_id=None)
    assert invalid.value.field_messages() == {"subject": "请填写督办事项。", "requirement": "请填写督办要求。",
                                              "department": "请选择督办的部门。"}


def test_one_extension_of_at_most_10_working_days_granted_moves_the_deadline(rt):
    directive = _issue(rt, bj(9, 30, 10))
    clerk = user(rt, "chengban")  # staff of 市场监管局
    with time_machine.travel(bj(10, 20, 10), tick=False):
        with pytest.raises(SupervisionProblem) as too_long:
            directives.ask_extension(rt, directive.id, clerk, days="11", reason="情况复杂")
        assert too_long.value.field_messages() == {"days": "延期天数为1至10个工作日。"}
        with pytest.raises(SupervisionProblem) as outsider:
            directives.ask_extension(rt, directive.id, user(rt, "mz_shouli"), days="5", reason="情况复杂")
        assert outsider.value.code == "supervision.not_allowed"
        directives.ask_extension(rt, directive.id, clerk, days="10", reason="涉及多个科室，需调取监控")
        with pytest.raises(SupervisionProblem) as again:
            directives.ask_extension(rt, directive.id, clerk, days="3", reason="再延")
        assert again.value.code == "directive.extension_used"
        with pytest.raises(SupervisionProblem):
            directives.decide_extension(rt, directive.id, clerk, grant=True)  # only a supervisor decides
        granted = directives.decide_extension(rt, directive.id, user(rt, "jiancha"), grant=True, opinion="同意")
    # 11-03 24:00 + 10 working days: 11-04 … 11-17 → 11-17 24:00.
    assert (granted.extension_state, granted.due_at, granted.next_alert_at) == ("granted", bj(11, 18), bj(11, 17))
    with time_machine.travel(bj(10, 21, 10), tick=False), pytest.raises(SupervisionProblem) as once:
        directives.ask_extension(rt, directive.id, clerk, days="1", reason="再延")
    assert once.value.code == "directive.extension_used"
    with rt.reader() as s:
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.case_id == directive.own_case_id)
                            .order_by(AuditEvent.id)).scalars().all()
    assert [a for a in actions if a.startswith("directive.")] == [
        "directive.issued", "directive.extension_asked", "directive.extension_decided"]
    # The department's inbox and the report step's timer show the deadline in force, not the first one.
    with rt.reader() as s:
        step_due = s.execute(select(OpenTask.due_at).where(OpenTask.case_id == directive.own_case_id)).scalar_one()
        timer_at = s.execute(select(WaitingTimer.fire_at)
                             .where(WaitingTimer.case_id == directive.own_case_id)).scalar_one()
    assert step_due == timer_at == bj(11, 18)


def test_a_refused_extension_keeps_the_deadline(rt):
    directive = _issue(rt, bj(9, 30, 10))
    with time_machine.travel(bj(10, 20, 10), tick=False):
        directives.ask_extension(rt, directive.id, user(rt, "pizhun"), days="5", reason="情况复杂")
        refused = directives.decide_extension(rt, directive.id, user(rt, "jiancha"), grant=False,
                                              opinion="不属复杂情形")
    assert (refused.extension_state, refused.due_at) == ("refused", bj(11, 4))


def test_yellow_the_working_day_before_then_red_once_and_a_late_report_raises_nothing_more(rt):
    directive = _issue(rt, bj(9, 30, 10))
    _tick(rt, bj(11, 2, 23))
    assert _alerts(rt, directive) == []
    _tick(rt, bj(11, 3, 1))
    assert _alerts(rt, directive) == [("DB1", f"directive:{directive.id}", "open")]
    _tick(rt, bj(11, 4, 1))
    _tick(rt, bj(11, 5, 1))
    assert _alerts(rt, directive) == [("DB1", f"directive:{directive.id}", "closed"),
                                      ("DB2", f"directive:{directive.id}", "open")]
    do(rt, directive.own_case_id, "pizhun", REPORT, bj(11, 6, 9))
    reported = _now(rt, directive.id)
    assert (reported.state, reported.late, reported.report, reported.reported_by) == (
        "reported", True, REPORT["opinion"], "pizhun")
    assert [a[0] for a in _alerts(rt, directive)] == ["DB1", "DB2"]  # red once


def test_a_late_report_before_any_tick_raises_its_red_once(rt):
    directive = _issue(rt, bj(9, 30, 10))
    do(rt, directive.own_case_id, "pizhun", REPORT, bj(11, 4, 9))
    assert _alerts(rt, directive) == [("DB2", f"directive:{directive.id}", "open")]
    _tick(rt, bj(11, 5, 1))
    assert len(_alerts(rt, directive)) == 1
    assert _now(rt, directive.id).late is True


def test_an_extended_directive_reported_late_after_its_new_deadline(rt):
    directive = _issue(rt, bj(9, 30, 10))
    with time_machine.travel(bj(11, 3, 10), tick=False):
        directives.ask_extension(rt, directive.id, user(rt, "pizhun"), days="2", reason="情况复杂")
    _tick(rt, bj(11, 3, 12))  # the old deadline's yellow
    with time_machine.travel(bj(11, 3, 15), tick=False):
        directives.decide_extension(rt, directive.id, user(rt, "jiancha"), grant=True)
    _tick(rt, bj(11, 4, 12))  # the old deadline passed: nothing, it moved to 11-05 24:00
    _tick(rt, bj(11, 6, 1))
    do(rt, directive.own_case_id, "pizhun", REPORT, bj(11, 6, 9))
    sub = f"directive:{directive.id}"
    assert _alerts(rt, directive) == [("DB1", sub, "closed"), ("DB2", f"{sub}:extended", "open")]
    assert _now(rt, directive.id).late is True


def test_a_report_in_time_closes_the_yellow_and_raises_no_red(rt):
    directive = _issue(rt, bj(9, 30, 10))
    _tick(rt, bj(11, 3, 1))
    do(rt, directive.own_case_id, "pizhun", REPORT, bj(11, 3, 9))
    _tick(rt, bj(11, 10, 1))
    assert _alerts(rt, directive) == [("DB1", f"directive:{directive.id}", "closed")]
    assert _now(rt, directive.id).late is False


def test_a_directive_on_an_alert_names_its_case_and_department(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    directive = _issue(rt, bj(12, 1, 11), alert_id=alert.id)
    assert (directive.target, directive.alert_id, directive.case_id, directive.department_id) == (
        "alert", alert.id, alert.case_id, alert.department_id)
    with rt.reader() as s:
        assert s.execute(select(AuditEvent.id).where(AuditEvent.case_id == alert.case_id,
                                                     AuditEvent.action == "directive.issued")).first()
