"""A step with ``requiresDocument`` completes only once such a document was issued for the case."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.documents.errors import DocumentProblem
from engine.documents.requirement import required, unmet
from engine.runtime.cases import complete_task, start_case
from engine.store import StepRecord
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, deploy_power, open_steps
from tests.engine.documents.helpers import issue_as

ACCEPTED = {"opinion": "同意受理"}


@pytest.fixture
def needs_notice(rt, org):
    """测试许可 whose 受理申请 step requires a 受理通知书 or a 补正材料通知书."""
    xml = (HERE / "fixtures" / "permit.bpmn").read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="test_accept.json"/>',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="test_accept.json"/>'
        '<spiffworkflow:property name="requiresDocument" value="acceptance|supplement"/>')
    return deploy_power(rt, org, xml.encode())


def test_the_property_reads_all_of_and_one_of():
    assert required({"requiresDocument": "licence_grant, delivery_receipt"}) == [["licence_grant"],
                                                                                 ["delivery_receipt"]]
    assert required({"requiresDocument": "acceptance|supplement"}) == [["acceptance", "supplement"]]
    assert required({}) == [] and required({"requiresDocument": " "}) == []


def test_the_step_is_refused_until_the_document_is_issued_and_nothing_changes(rt, org, needs_notice):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, needs_notice.code, APPLICANT, "申请测试许可", actor="clerk")
        [step] = open_steps(rt, case.id)
        with pytest.raises(DocumentProblem) as refused:
            complete_task(rt, step.id, ACCEPTED, org.clerk)
        assert refused.value.code == "document.required"
        assert refused.value.message("zh") == ("「受理申请」办结前须签发《受理通知书》或《补正材料通知书》"
                                               "（在本页「法律文书」处签发）。")
        assert "notice of acceptance or a notice to supplement" in refused.value.message("en")
        assert [s.id for s in open_steps(rt, case.id)] == [step.id]  # still waiting, as it was
        issued = issue_as(rt, "clerk", case.id, "supplement", task_id=step.id)
        assert issued.number == "测试局许补字〔2026〕第 1 号"  # no prefix set: the department's name
        complete_task(rt, step.id, ACCEPTED, org.clerk)
    assert [s.bpmn_id for s in open_steps(rt, case.id)] == ["review"]
    with rt.reader() as s:
        assert s.execute(select(StepRecord.bpmn_id).where(StepRecord.case_id == case.id)).scalars().all() == [
            "accept"]
        # Should the flowchart loop back to 受理 (after 补正), this round's notice would not count again.
        assert unmet(s, case.id, "accept", {"requiresDocument": "acceptance|supplement"}) == [
            ["acceptance", "supplement"]]


def test_a_step_without_the_property_needs_no_document(rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请测试许可", actor="clerk")
        [step] = open_steps(rt, case.id)
        complete_task(rt, step.id, ACCEPTED, org.clerk)
    assert [s.bpmn_id for s in open_steps(rt, case.id)] == ["review"]
