"""What a step's form opens with, how its dates are checked against the case, and what finished steps show."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from engine.casefile import case_file
from engine.forms import FormRegistry
from engine.runtime.cases import Applicant, complete_task, start_case, start_data
from engine.runtime.errors import RuntimeProblem
from engine.runtime.stepforms import initial_values, labelled, opening_values, step_results
from engine.store import StepRecord
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps

FORMS = FormRegistry(Path(__file__).resolve().parents[3] / "forms")
SHOP = Applicant("示范市味之源餐饮管理有限公司", "统一社会信用代码", "91519900MA62A1B2CY", "0837-2881234")


def test_the_accept_form_opens_with_the_registration():
    data = start_data(SHOP, "申请食品经营许可（新办）", "519900-SCJGJ-XK-0001", "食品经营许可")
    # The registration holds 证件类型 by its title; the form's radio button takes the choice's value.
    assert initial_values(FORMS.get("license_food_business_accept.json"), data) == {
        "applicant_name": SHOP.name, "applicant_id_type": "uscc", "applicant_id_number": SHOP.id_number,
        "applicant_contact": SHOP.contact}
    elder = Applicant("张某某", "居民身份证", "519900194403150026", "13912345678")
    opened = initial_values(FORMS.get("confirmation_simple_accept.json"), start_data(elder, "申请", "P", "津贴"))
    assert opened["applicant_id_type"] == "id_card" and opened["applicant_id_number"] == elder.id_number
    opened = initial_values(FORMS.get("penalty_general_register.json"), start_data(SHOP, "案", "P", "处罚"))
    assert opened["applicant_name"] == SHOP.name and opened["applicant_id_type"] == "uscc"


def test_values_open_as_the_widgets_show_them_and_a_step_s_own_words_never_carry_over():
    data = {"business_area": 186.5, "material_application": True, "material_layout": False,
            "application_date": "2026-11-20", "entity_type": "no-such-choice", "business_scope": 12,
            "legal_representative": True, "business_address": {"street": "解放路"},
            "opinion": "上一环节的意见", "reason": "上一环节的理由", "accept_result": "accept"}
    assert initial_values(FORMS.get("license_food_business_accept.json"), data) == {
        "business_area": "186.5", "material_application": "true", "material_layout": "false",
        "application_date": "2026-11-20", "business_scope": "12", "accept_result": "accept"}


def test_submitted_values_are_labelled_by_the_form_with_choices_by_title():
    result = labelled(FORMS.get("penalty_general_decide.json"), {
        "decision_result": "penalize", "circumstance": "general", "penalty_kind": "fine", "fine_amount": 5000,
        "decision_no": "示市监罚〔2026〕1号", "decision_date": "2026-11-23", "collective_discussion": False,
        "opinion": "同意", "reason": "", "not_in_the_form": "x"})
    assert [(f.title, f.value) for f in result.shown] == [
        ("决定", "给予行政处罚"), ("违法情节", "一般"), ("处罚种类", "罚款"), ("罚款金额（元）", "5000"),
        ("决定书文号", "示市监罚〔2026〕1号"), ("决定日期", "2026-11-23")]
    assert [(f.title, f.value) for f in result.checks] == [("是否经负责人集体讨论", False)]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_an_open_step_opens_with_what_the_case_holds(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    with rt.reader() as s:
        file = case_file(s, case.id)
        assert opening_values(rt, file.case, accept.id, rt.forms.get(accept.form)) == {
            "applicant_name": APPLICANT.name, "applicant_id_type": "uscc"}
        # A step worked meanwhile opens empty rather than failing.
        assert opening_values(rt, file.case, "00000000-0000-0000-0000-000000000000",
                              rt.forms.get(accept.form)) == {}


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_dates_may_not_lie_after_today_or_before_what_an_earlier_step_recorded(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    with pytest.raises(RuntimeProblem) as err:
        complete_task(rt, accept.id, {"opinion": "受理", "received_on": "2026-11-24"}, org.clerk)
    assert err.value.fields == {"received_on": "不能晚于今天（2026-11-23）。"}
    # Today is the Beijing date: at 01:00 on Tuesday in Beijing it is still Monday in UTC.
    with time_machine.travel(datetime(2026, 11, 23, 17, 0, tzinfo=UTC), tick=False):
        complete_task(rt, accept.id, {"opinion": "受理", "received_on": "2026-11-24"}, org.clerk)
    [review] = open_steps(rt, case.id)
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=False):
        with pytest.raises(RuntimeProblem) as err:
            complete_task(rt, review.id, {"result": "pass", "opinion": "同意", "decided_on": "2026-11-23"},
                          org.reviewer)
        assert err.value.fields == {"decided_on": "不能早于本案的「收件日期」（2026-11-24）。"}
        with pytest.raises(RuntimeProblem) as err:
            complete_task(rt, review.id, {"result": "pass", "opinion": "同意", "decided_on": "2026-11-23"},
                          org.reviewer, lang="en")
        assert err.value.fields == {"decided_on": "Must not be earlier than the case's “收件日期” (2026-11-24)."}
        done = complete_task(rt, review.id, {"result": "pass", "opinion": "同意", "decided_on": "2026-11-24"},
                             org.reviewer)
    assert done.status == "completed"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_finished_steps_show_their_values_under_the_form_s_titles(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理", "materials_complete": "true", "received_on": "2026-11-23",
                                  "applicant_id_type": "uscc"}, org.clerk)
    [review] = open_steps(rt, case.id)
    complete_task(rt, review.id, {"result": "pass", "opinion": "同意", "amount": "1200.5"}, org.reviewer)
    with rt.reader() as s:
        file = case_file(s, case.id)
        results = step_results(rt, file.case, file.history)
        first, second = s.execute(select(StepRecord.id).order_by(StepRecord.id)).scalars()
    assert [(f.title, f.value) for f in results[first].shown] == [("证件类型", "统一社会信用代码"),
                                                                  ("收件日期", "2026-11-23")]
    assert [(f.title, f.value) for f in results[first].checks] == [("材料齐全", True)]
    assert [(f.title, f.value) for f in results[second].shown] == [("审核结论", "通过"), ("金额", "1200.5")]


def test_submitted_values_are_labelled_in_the_reader_s_language():
    english = {"决定": "Decision", "给予行政处罚": "Impose an administrative penalty", "罚款": "Fine",
               "处罚种类": "Kind of penalty", "是否经负责人集体讨论": "Decided by collective discussion of the heads"}
    data = {"decision_result": "penalize", "penalty_kind": "fine", "fine_amount": 5000, "collective_discussion": True}
    form = FORMS.get("penalty_general_decide.json")
    for result in (labelled(form, data, lambda t: english.get(t, t)),
                   labelled(form.localised(lambda t: english.get(t, t)), data)):
        assert [(f.title, f.value) for f in result.shown] == [
            ("Decision", "Impose an administrative penalty"), ("Kind of penalty", "Fine"), ("罚款金额（元）", "5000")]
        assert [(f.title, f.value) for f in result.checks] == [("Decided by collective discussion of the heads", True)]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_finished_steps_show_their_titles_through_the_reader_s_translation(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理", "received_on": "2026-11-23", "applicant_id_type": "uscc"},
                  org.clerk)
    english = {"证件类型": "ID type", "统一社会信用代码": "Unified social credit code"}
    with rt.reader() as s:
        file = case_file(s, case.id)
        [result] = step_results(rt, file.case, file.history, lambda t: english.get(t, t)).values()
    assert [(f.title, f.value) for f in result.shown] == [("ID type", "Unified social credit code"),
                                                          ("收件日期", "2026-11-23")]
