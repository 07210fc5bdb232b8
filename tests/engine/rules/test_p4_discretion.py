"""Rule P4: a fine outside the published discretion range for the chosen circumstance raises a red alert."""

from __future__ import annotations

from typing import Any

import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.demo import load_demo
from engine.demo_catalog import discretion
from engine.platform import build_runtime
from engine.rules.p4_discretion import Finding, check
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, Case, StepRecord, User
from tests.engine.conftest import MONDAY_10_BJ, open_steps
from tests.engine.files.helpers import attach_evidence
from tests.settings import make_settings

STANDARD = discretion(("轻微", "初次违法", 50000, 60000), ("一般", "未造成危害后果", 60000, 80000),
                      ("严重", "造成人身健康损害", 90000, 100000))
#: The demo decision form's choice titles, as ``choice_titles`` reads them.
TITLES = {"circumstance": {"minor": "轻微", "general": "一般", "serious": "较重", "severe": "严重"},
          "penalty_kind": {"fine": "罚款", "warning": "警告"}, "decision_result": {"penalize": "给予行政处罚"}}


def fine(amount: Any, circumstance: str = "general", **more: Any) -> dict[str, Any]:
    return {"decision_result": "penalize", "circumstance": circumstance, "penalty_kind": "fine",
            "fine_amount": amount, **more}


def test_a_fine_inside_the_range_of_its_circumstance_passes_bounds_included():
    for amount in (60000, 70000.5, 80000):
        assert check(STANDARD, fine(amount), TITLES) is None


def test_a_fine_below_or_above_the_range_is_found_with_the_circumstance_s_title():
    assert check(STANDARD, fine(59999.5), TITLES) == Finding("一般", 59999.5, 60000, 80000)
    assert check(STANDARD, fine(120000.0), TITLES) == Finding("一般", 120000, 60000, 80000)
    # Without the form's titles the stored value must be the level text itself.
    assert check(STANDARD, fine(85000, "一般")) == Finding("一般", 85000, 60000, 80000)


def test_a_level_the_standard_does_not_list_is_held_to_the_whole_standard():
    assert check(STANDARD, fine(85000, "serious"), TITLES) is None  # 较重 is not published: any tier's amount
    assert check(STANDARD, fine(150000, "serious"), TITLES) == Finding("较重", 150000, 50000, 100000, False)


def test_no_standard_or_no_fine_decision_is_not_checked():
    for standard in (None, [], "每行一档", [{"level": "一般", "min_amount": "六万", "max_amount": 80000}]):
        assert check(standard, fine(1), TITLES) is None
    assert check(STANDARD, fine(1, penalty_kind="warning"), TITLES) is None
    assert check(STANDARD, fine(1, decision_result="no_penalty"), TITLES) is None
    assert check(STANDARD, {"circumstance": "general", "fine_amount": 0}, TITLES) is None  # no kind, no amount
    assert check(STANDARD, {"circumstance": "general", "fine_amount": 1}, TITLES) is not None
    assert check(STANDARD, {"proposed_circumstance": "general", "proposed_fine_amount": 1}, TITLES) is None


def test_several_rows_of_one_level_allow_each_range_and_report_the_nearest():
    split = discretion(("一般", "甲", 10, 20), ("一般", "乙", 40, 50))
    assert check(split, fine(45), TITLES) is None
    assert check(split, fine(35), TITLES) == Finding("一般", 35, 40, 50)


def _walk_to_decision(rt: Runtime, case_id: int, users: dict[str, User]) -> str:
    """Work the demo penalty case from 立案 to 作出决定; returns the decision step's task id."""
    party = {"applicant_name": "示范市惠民超市有限公司", "applicant_id_type": "uscc",
             "applicant_id_number": "91519900MA62G7H8JK", "applicant_contact": "0837-2887766"}
    steps = [
        ("zhifa", {**party, "clue_source": "inspection", "discovered_date": "2026-11-20",
                   "party_type": "organization", "party_address": "示范市人民路1号",
                   "suspected_facts": "货架上有超过保质期的食品", "register_result": "register",
                   "case_no": "示市监立〔2026〕1号", "investigators": "刘执法、陈执法", "opinion": "予以立案"}),
        ("zhifa", {"evidence_list": "现场笔录、照片", "evidence_count": "2", "facts_found": "经营超过保质期的食品",
                   "goods_value": "800", "illegal_gains": "0", "proposed_result": "penalize",
                   "proposed_circumstance": "general", "proposed_penalty_kind": "fine",
                   "proposed_fine_amount": "60000", "proposed_legal_basis": "《食品安全法》第一百二十四条",
                   "opinion": "建议处罚"}),
        ("fazhi", {**{f"check_{k}": "true" for k in ("subject", "facts", "evidence", "characterization", "basis",
                                                      "procedure", "discretion")},
                   "legal_review_result": "pass", "opinion": "同意"}),
        ("zhifa", {"notice_no": "示市监告〔2026〕1号", "notice_delivered_date": "2026-11-23",
                   "hearing_eligible": "true", "party_response": "waived", "opinion": "已告知"}),
    ]
    for username, raw in steps:
        [step] = open_steps(rt, case_id)
        complete_task(rt, step.id, raw, users[username])
    [decide] = open_steps(rt, case_id)
    assert decide.bpmn_id == "decide"
    attach_evidence(rt, users["zhifa"], case_id, decide.id)  # a decision rests on evidence (DESIGN §4.7)
    return decide.id


def _decide(amount: str) -> dict[str, str]:
    return {"decision_result": "penalize", "circumstance": "general", "penalty_kind": "fine", "fine_amount": amount,
            "violated_provision": "《食品安全法》第三十四条", "legal_basis": "《食品安全法》第一百二十四条",
            "discretion_basis": "情节一般", "collective_discussion": "false", "decision_no": "示市监罚〔2026〕1号",
            "decision_date": "2026-11-23", "opinion": "同意"}


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_demo_penalty_decided_outside_its_range_gets_one_red_p4_alert_and_still_moves_on(db):
    rt = build_runtime(db.sessions, make_settings(database_url=db.url))
    load_demo(rt)
    with rt.reader() as s:
        users = {u.username: u for u in s.execute(select(User)).scalars()}
        case = s.execute(select(Case).where(Case.subject == "涉嫌经营超过保质期的食品案")).scalar_one()
        code = case.power.code
    decide = _walk_to_decision(rt, case.id, users)
    complete_task(rt, decide, _decide("120000"), users["pizhun"])
    assert [s.bpmn_id for s in open_steps(rt, case.id)] == ["deliver"]  # alerted, not refused
    with rt.reader() as s:
        [alert] = s.execute(select(Alert).where(Alert.case_id == case.id)).scalars().all()
        assert s.execute(select(StepRecord.task_id).where(StepRecord.bpmn_id == "decide")).scalar_one() == decide
    assert (alert.rule, alert.level, alert.subject, alert.step_name, alert.due_at) == (
        "P4", "red", decide, "作出决定", None)
    assert alert.details == {"circumstance": "一般", "amount": 120000, "low": 60000, "high": 80000,
                             "level_published": True}
    assert alert.message == "「作出决定」违法情节「一般」罚款 120,000 元，超出自由裁量基准 60,000–80,000 元（红灯报警）"
    assert describe(alert, "en", "—") == ("\"作出决定\": a fine of 120,000 yuan for circumstance \"一般\" is outside "
                                          "the discretion standard's 60,000–80,000 yuan (red alert)")

    # A fine inside the range of 一般 raises nothing.
    other = start_case(rt, code, Applicant("示范市惠民超市有限公司", "统一社会信用代码", "91519900MA62G7H8JK",
                                           "0837-2887766"), "另一宗", actor="zhifa")
    complete_task(rt, _walk_to_decision(rt, other.id, users), _decide("80000"), users["pizhun"])
    with rt.reader() as s:
        assert s.execute(select(Alert).where(Alert.case_id == other.id)).first() is None
