"""The life of an alert (seed 003 第六条—第八条): a red alert reaches the responsible department's head, who
explains and rectifies; a supervisor rejects or accepts, closes (销号) or refers it (问责). Every move is timed in
working days and audited in the alert's case and in the life's own case."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.store import Alert, AuditEvent, Case, Department, OpenTask, Post
from engine.store.alert_life import AlertStep
from engine.supervision import alert_life
from engine.supervision.errors import SupervisionProblem
from engine.supervisor.tick import tick
from tests.engine.runtime.operations.conftest import new_licence
from tests.engine.supervision.conftest import alert_now, bj, do, inbox_names, red_alert, task_of, user
from tests.engine.supervisor.racing import race_two_supervisors

EXPLAIN = {"opinion": "窗口人员休假，未及时受理，已安排专人补办。"}


def _moves(rt, alert_id):
    with rt.reader() as s:
        return [(m.move, m.actor, m.workdays) for m in alert_life.moves(s, alert_id)]


def test_a_red_alert_starts_its_life_in_the_department_heads_inbox(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    assert alert.stage == alert_life.EXPLAINING
    assert alert.status == "open"  # 电子监察 still lists it as open
    step = task_of(rt, alert.life_case_id)
    with rt.reader() as s:
        post = s.get_one(Post, step.post_id)
        life = s.get_one(Case, alert.life_case_id)
        assert (post.name, s.get_one(Department, post.department_id).code) == ("负责人", "SCJGJ")
        assert life.department_id == alert.department_id and life.power.code == alert_life.LIFE_POWER
    assert (step.bpmn_id, step.name) == ("explain", "情况说明")
    assert "情况说明" in inbox_names(rt, "pizhun")  # 赵批准 holds 负责人 of 市场监管局
    assert "情况说明" not in inbox_names(rt, "chengban")  # not a clerk's work
    # The explanation is due in 5 working days: 12-01 (Tue) + 5 → Tuesday 12-08 24:00.
    assert step.due_at == bj(12, 9)


def test_explained_rejected_explained_again_accepted_rectified_and_closed(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    life = alert.life_case_id
    do(rt, life, "pizhun", {"opinion": "人手不足"}, bj(12, 2, 9))
    assert alert_now(rt, alert.id).stage == alert_life.REVIEWING
    assert "审核说明" in inbox_names(rt, "jiancha")
    do(rt, life, "jiancha", {"review_result": "reject", "opinion": "说明过于笼统，请说明具体原因"}, bj(12, 3, 9))
    assert alert_now(rt, alert.id).stage == alert_life.EXPLAINING
    assert task_of(rt, life).bpmn_id == "explain"  # back with the department
    do(rt, life, "pizhun", EXPLAIN, bj(12, 4, 9))
    do(rt, life, "jiancha", {"review_result": "accept", "opinion": "说明属实，限期整改"}, bj(12, 7, 9))
    assert alert_now(rt, alert.id).stage == alert_life.RECTIFYING
    do(rt, life, "pizhun", {"opinion": "已补办受理，完善AB岗制度"}, bj(12, 10, 9))
    assert alert_now(rt, alert.id).stage == alert_life.VERIFYING
    do(rt, life, "jiancha", {"verify_result": "close", "opinion": "整改到位，予以销号"}, bj(12, 11, 9))
    closed = alert_now(rt, alert.id)
    assert (closed.stage, closed.status, closed.closed_how, closed.closed_by) == (
        "closed", "closed", "verified", "jiancha")
    assert closed.closed_at == bj(12, 11, 9)
    # Each move timed in working days since the one before (12-05/06 are a weekend).
    assert _moves(rt, alert.id) == [
        ("started", "supervisor", 0), ("explained", "pizhun", 1), ("rejected", "jiancha", 1),
        ("explained", "pizhun", 1), ("accepted", "jiancha", 1), ("rectified", "pizhun", 3),
        ("closed", "jiancha", 1)]
    with rt.reader() as s:
        assert s.get_one(Case, life).status == "completed"
        on_case = s.execute(select(AuditEvent.action, AuditEvent.payload).where(
            AuditEvent.case_id == alert.case_id, AuditEvent.action.in_(["alert.stage", "alert.closed"]))
            .order_by(AuditEvent.id)).all()
        in_life = s.execute(select(AuditEvent.payload).where(
            AuditEvent.case_id == life, AuditEvent.action == "alert.stage").order_by(AuditEvent.id)).scalars().all()
    on_case = [(a, p) for a, p in on_case if p["alert"] == alert.id]  # the licence has other red alerts
    assert [p["move"] for a, p in on_case if a == "alert.stage"] == [
        "started", "explained", "rejected", "explained", "accepted", "rectified", "closed"]
    assert on_case[-1][0] == "alert.closed" and on_case[-1][1]["how"] == "verified"
    assert [p["move"] for p in in_life] == [
        "started", "explained", "rejected", "explained", "accepted", "rectified", "closed"]
    assert in_life[2]["note"] == "说明过于笼统，请说明具体原因"


def test_working_days_skip_the_national_day_holiday(rt):
    alert = red_alert(rt, bj(9, 1, 10), bj(9, 30, 10))  # Wednesday before 国庆
    step = task_of(rt, alert.life_case_id)
    # 5 working days from 09-30: 10-08, 09, 10 (a make-up Saturday), 12, 13 → 10-13 24:00.
    assert step.due_at == bj(10, 14)
    do(rt, alert.life_case_id, "pizhun", EXPLAIN, bj(10, 9, 9))
    assert _moves(rt, alert.id)[-1] == ("explained", "pizhun", 2)  # 10-08 and 10-09, not nine calendar days


def test_a_late_explanation_shows_overdue_and_starts_no_life_of_its_own(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    with time_machine.travel(bj(12, 9, 1), tick=False):
        tick(rt, bj(12, 9, 1))
        tick(rt, bj(12, 9, 1))
    with rt.reader() as s:
        [late] = s.execute(select(Alert).where(Alert.case_id == alert.life_case_id)).scalars().all()
        lives = s.execute(select(Case.id).where(Case.power.has(code=alert_life.LIFE_POWER))).scalars().all()
    assert (late.rule, late.level, late.step_name, late.stage) == ("T2", "red", "情况说明", "none")
    assert alert.life_case_id in lives and late.life_case_id is None
    assert task_of(rt, alert.life_case_id).alert_level == 2  # the step shows red in the head's inbox


def test_referred_for_accountability(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    do(rt, alert.life_case_id, "pizhun", EXPLAIN, bj(12, 2, 9))
    do(rt, alert.life_case_id, "jiancha", {"review_result": "refer", "opinion": "情节严重，移交问责"}, bj(12, 3, 9))
    referred = alert_now(rt, alert.id)
    assert (referred.stage, referred.status, referred.closed_how) == ("referred", "closed", "referred")
    with rt.reader() as s:
        assert s.execute(select(OpenTask).where(OpenTask.case_id == alert.life_case_id)).first() is None


def test_a_tick_starts_each_life_once(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    with time_machine.travel(bj(12, 1, 11), tick=False):
        tick(rt, bj(12, 1, 11))
    with rt.reader() as s:
        lives = s.execute(select(Case.id).where(Case.power.has(code=alert_life.LIFE_POWER))).scalars().all()
        reds = s.execute(select(Alert.id).where(Alert.level == "red", Alert.life_case_id.is_not(None))).scalars().all()
        assert s.execute(select(AlertStep).where(AlertStep.alert_id == alert.id)).scalars().all()[0].move == "started"
    assert len(lives) == len(reds) >= 1


def test_a_supervisor_starts_a_yellow_alerts_life_by_hand_and_no_one_else_may(rt):
    alert = red_alert(rt, bj(11, 2, 10), bj(12, 1, 10))
    case = new_licence(rt, bj(12, 1, 10))
    with time_machine.travel(bj(12, 2, 12), tick=False):  # half way through 受理's one working day: yellow
        tick(rt, bj(12, 2, 12))
    with rt.reader() as s:
        yellow = s.execute(select(Alert).where(Alert.case_id == case.id, Alert.level == "yellow")).scalar_one()
    assert (yellow.stage, yellow.life_case_id) == (None, None)  # a yellow gets no life by itself
    with pytest.raises(SupervisionProblem) as refused:
        alert_life.start_life_by_hand(rt, yellow.id, user(rt, "pizhun"))
    assert refused.value.message() == "您无权进行此项监察操作。"
    with time_machine.travel(bj(12, 2, 14), tick=False):
        life = alert_life.start_life_by_hand(rt, yellow.id, user(rt, "jiancha"))
    assert (alert_now(rt, yellow.id).life_case_id, alert_now(rt, yellow.id).stage) == (life.id, "explaining")
    with pytest.raises(SupervisionProblem) as twice:
        alert_life.start_life_by_hand(rt, yellow.id, user(rt, "jiancha"))
    assert twice.value.code == "alert.has_life"
    with pytest.raises(SupervisionProblem):
        alert_life.start_life_by_hand(rt, alert.id, user(rt, "jiancha"))  # the red one has its life already


def test_two_supervisors_ticking_at_once_start_each_life_once(rt, demo_db):
    case = new_licence(rt, bj(11, 2, 10))
    race_two_supervisors(rt, demo_db.url, bj(12, 1, 10))
    with rt.reader() as s:
        reds = s.execute(select(Alert).where(Alert.case_id == case.id, Alert.level == "red")).scalars().all()
        lives = s.execute(select(Case.id).where(Case.power.has(code=alert_life.LIFE_POWER))).scalars().all()
        started = s.execute(select(AlertStep.alert_id).where(AlertStep.move == "started")).scalars().all()
    assert reds and all(r.life_case_id is not None for r in reds)
    assert sorted(lives) == sorted(r.life_case_id for r in reds) and sorted(started) == sorted(r.id for r in reds)
