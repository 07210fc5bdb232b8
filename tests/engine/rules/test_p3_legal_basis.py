"""Rule P3: a decision step completed without its legal basis (法律依据) raises a red alert; one with it does not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.catalog.drafts import Trigger
from engine.rules.p3_legal_basis import has_legal_basis
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, CatalogChange
from tests.engine.catalog.conftest import draft_licence
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, Org, deploy_power, open_steps
from tests.engine.files.helpers import attach_evidence
from tests.engine.rules.walks import walk_to_approve

LAW = Trigger("law", "《食品经营许可和备案管理办法》（国家市场监督管理总局令第92号）", date(2026, 11, 16))
DECISION = (HERE.parent / "rules" / "fixtures" / "decision.bpmn").read_bytes()


def test_a_legal_basis_is_any_non_blank_text_under_one_of_its_names():
    assert has_legal_basis({"legal_basis": "《行政许可法》第三十八条"})
    assert has_legal_basis({"basis": ["《食品安全法》第三十五条"]}) and has_legal_basis({"法律依据": "第十条"})
    for values in ({}, {"legal_basis": "  "}, {"legal_basis": None}, {"basis": []}, {"proposed_legal_basis": "某法"},
                   {"legal_basis": [""]}):
        assert not has_legal_basis(values), values


def _alerts(rt: Runtime, case_id: int) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.case_id == case_id)).scalars())


def _decide(rt: Runtime, org: Org, values: dict[str, Any]) -> tuple[int, str]:
    """A case of the form-less decision flowchart, accepted and decided with ``values``; (case id, decision task)."""
    deploy_power(rt, org, DECISION, filename="decision.bpmn", process_key="test_decision", code="510000-CSJ-XK-009",
                 name="无表单决定")
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, "510000-CSJ-XK-009", APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [decide] = open_steps(rt, case.id)
        attach_evidence(rt, org.reviewer, case.id, decide.id)
        complete_task(rt, decide.id, values, org.reviewer)
    assert open_steps(rt, case.id) == []  # alerted, never refused
    return case.id, decide.id


@pytest.mark.parametrize("values", [{"opinion": "准予许可"}, {"opinion": "准予许可", "legal_basis": "   "}])
def test_a_decision_without_a_legal_basis_raises_one_red_alert_naming_the_step(rt, org, values):
    case_id, decide = _decide(rt, org, values)
    [alert] = _alerts(rt, case_id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name, alert.due_at) == (
        "P3", "red", decide, "作出许可决定", None)
    assert alert.details == {"by": "reviewer", "fields": ["legal_basis"]}
    assert alert.message == "决定环节「作出许可决定」办结时未填写法律依据（红灯报警）"
    assert describe(alert, "en", "-") == ("The decision step \"作出许可决定\" was completed without a legal basis "
                                          "(red alert)")


def test_a_decision_with_its_legal_basis_and_a_step_that_decides_nothing_raise_none(rt, org):
    case_id, _ = _decide(rt, org, {"opinion": "准予许可", "legal_basis": "《中华人民共和国行政许可法》第三十八条"})
    assert _alerts(rt, case_id) == []  # nor did 受理, without one: it decides nothing


def test_the_demo_licence_approved_with_its_required_legal_basis_raises_no_p3(demo_rt):
    case_id = walk_to_approve(demo_rt)
    assert [a.rule for a in _alerts(demo_rt, case_id)] == []


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_the_catalog_review_s_decisions_decide_on_a_request_not_under_a_law_and_raise_none(chain):
    change = draft_licence(chain, LAW, name="食品经营许可（新办）", reason="新法施行")
    with chain.rt.reader() as s:
        case_id = s.get_one(CatalogChange, change.id).review_case_id
    for who, values in ((chain.drafter, {"checked": "true", "opinion": "请审核"}),
                        (chain.legal, {"legal_result": "pass", "opinion": "合法"}),  # a decision step
                        (chain.government, {"approve_result": "approve", "opinion": "同意"})):  # and another
        [row] = open_steps(chain.rt, case_id)
        complete_task(chain.rt, row.id, values, who)
    assert [r.bpmn_id for r in open_steps(chain.rt, case_id)] == ["publish"]
    assert _alerts(chain.rt, case_id) == []
