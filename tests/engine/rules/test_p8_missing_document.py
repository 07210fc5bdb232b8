"""Rule P8: a step that accepts, refuses or decides completed without the document its outcome owes raises a red
alert naming the document; the document issued at the step, or a step the flowchart does not mark, raises none."""

from __future__ import annotations

import time_machine

from engine.alerts import describe
from engine.rules.p8_missing_document import owed
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, Org, open_steps
from tests.engine.documents.helpers import issue_as
from tests.engine.files.helpers import attach_evidence
from tests.engine.rules.flows import alerts_of, deploy_flow, with_properties

CODE = "510000-CSJ-XK-041"
MARKED = with_properties(accept={"expectsDocument": "true"},
                         decide={"expectsDocument": "licence_grant|licence_refusal"})


def test_the_outcome_names_the_document_it_owes():
    assert owed("true", {"accept_result": "accept"}) == [["acceptance"]]
    assert owed("true", {"accept_result": "supplement"}) == [["supplement"]]
    assert owed("true", {"accept_result": "reject"}) == [["non_acceptance"]]
    assert owed("true", {"approve_result": "refuse"}) == [["licence_refusal"]]
    assert owed("true", {"approve_result": "approve"}) == []  # the grant is owed at 办结 (requiresDocument)
    assert owed("true", {"decision_result": "penalize"}) == [["penalty_decision"]]
    assert owed("licence_grant|licence_refusal", {}) == [["licence_grant", "licence_refusal"]]


def _accept(rt: Runtime, org: Org, result: str, issued: list[str]) -> tuple[int, str]:
    """A case of the marked flowchart accepted with ``accept_result = result`` after issuing ``issued``."""
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, CODE, APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, case.id)
        for kind in issued:
            issue_as(rt, "clerk", case.id, kind, task_id=accept.id)
        complete_task(rt, accept.id, {"accept_result": result, "opinion": "受理"}, org.clerk)
    return case.id, accept.id


def test_an_acceptance_without_its_notice_raises_one_red_alert_naming_it(rt, org):
    deploy_flow(rt, org, MARKED, CODE)
    case_id, accept = _accept(rt, org, "accept", [])
    [alert] = alerts_of(rt, case_id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name) == ("P8", "red", accept, "受理申请")
    assert alert.details == {"kinds": [["acceptance"]], "titles": "《受理通知书》",
                             "titles_en": "a notice of acceptance", "by": "clerk"}
    assert alert.message == "「受理申请」已办结，但未出具《受理通知书》（红灯报警）"
    assert describe(alert, "en", "-") == "\"受理申请\" was completed without issuing a notice of acceptance (red alert)"


def test_a_refusal_with_only_an_acceptance_notice_still_owes_its_own(rt, org):
    deploy_flow(rt, org, MARKED, CODE)
    case_id, _ = _accept(rt, org, "reject", ["acceptance"])
    [alert] = alerts_of(rt, case_id)
    assert alert.details["kinds"] == [["non_acceptance"]] and alert.details["titles"] == "《不予受理通知书》"


def test_the_document_issued_at_the_step_or_an_unmarked_step_raises_none(rt, org):
    deploy_flow(rt, org, MARKED, CODE)
    case_id, _ = _accept(rt, org, "accept", ["acceptance"])
    assert alerts_of(rt, case_id) == []
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        [decide] = open_steps(rt, case_id)
        attach_evidence(rt, org.reviewer, case_id, decide.id)
        complete_task(rt, decide.id, {"opinion": "准予", "legal_basis": "《行政许可法》第三十八条"}, org.reviewer)
    [alert] = alerts_of(rt, case_id)  # the decision owed a decision document: one of the two
    assert alert.subject == decide.id and alert.details["titles"] == "《准予行政许可决定书》或《不予行政许可决定书》"
    deploy_flow(rt, org, with_properties(), "510000-CSJ-XK-042")
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        other = start_case(rt, "510000-CSJ-XK-042", APPLICANT, "申请", actor="clerk")
        [accept] = open_steps(rt, other.id)
        complete_task(rt, accept.id, {"accept_result": "accept", "opinion": "受理"}, org.clerk)
    assert alerts_of(rt, other.id) == []
