"""A decision step needs evidence before it completes; after it, the materials and earlier evidence are locked."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from engine.files.checks import checked_upload
from engine.files.errors import FileProblem
from engine.files.records import Target, add_file
from engine.files.storage import LocalStorage
from engine.runtime.cases import complete_task, start_case
from engine.runtime.errors import RuntimeProblem
from engine.store import StepRecord
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, deploy_power, open_steps
from tests.engine.files.test_records import publish_materials

REVIEW_FORM = '<spiffworkflow:property name="formJsonSchemaFilename" value="test_review.json"/>'
PASS = {"result": "pass", "opinion": "同意"}


@pytest.fixture
def decision_power(rt, org):
    """「测试许可」 whose 审核 is a decision step (property ``decision``)."""
    xml = (HERE / "fixtures" / "permit.bpmn").read_text()
    assert REVIEW_FORM in xml
    xml = xml.replace(REVIEW_FORM, REVIEW_FORM + '<spiffworkflow:property name="decision" value="true"/>')
    power = deploy_power(rt, org, xml.encode())
    publish_materials(rt, power)
    return power


def pdf(name: str = "证据.pdf"):
    return checked_upload(name, b"%PDF-1.4 " + name.encode(), 1 << 20)


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_decision_step_without_any_file_is_refused_with_a_field_message(rt, org, decision_power, tmp_path):
    case = start_case(rt, decision_power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(rt, case.id)

    with pytest.raises(RuntimeProblem) as refused:
        complete_task(rt, review.id, PASS, org.reviewer)
    assert refused.value.fields == {
        "evidence": "「审核」是决定环节，须先上传证据材料（本办件还没有任何申请材料或证据文件）才能办理。"}
    with pytest.raises(RuntimeProblem) as refused:
        complete_task(rt, review.id, PASS, org.reviewer, lang="en")
    assert refused.value.fields["evidence"].startswith("“审核” is a decision step: upload the evidence")
    assert [s.id for s in open_steps(rt, case.id)] == [review.id]  # the case did not move

    add_file(rt, LocalStorage(tmp_path / "files"), org.reviewer, case.id, Target.of_step(review.id), pdf())
    complete_task(rt, review.id, PASS, org.reviewer)
    with rt.reader() as s:
        assert s.execute(select(func.count()).select_from(StepRecord).where(StepRecord.case_id == case.id)
                         ).scalar() == 2


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_after_the_decision_materials_and_evidence_of_completed_steps_are_locked(rt, org, decision_power, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    case = start_case(rt, decision_power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    add_file(rt, storage, org.clerk, case.id, Target.of_material("申请书"), pdf("申请书.pdf"))
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    # Before the decision, a completed step's evidence can still be added to.
    add_file(rt, storage, org.clerk, case.id, Target.of_step(accept.id), pdf("受理记录.pdf"))
    [review] = open_steps(rt, case.id)
    complete_task(rt, review.id, PASS, org.reviewer)

    files_before = sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file())
    for target in (Target.of_material("申请书"), Target.of_step(accept.id), Target.of_step(review.id)):
        with pytest.raises(FileProblem) as refused:
            add_file(rt, storage, org.clerk, case.id, target, pdf("补充.pdf"))
        assert refused.value.message("zh") == "「审核」已作出决定，此前环节的证据和申请材料已锁定，不能再补充或替换。"
    assert sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file()) == files_before


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_steps_that_are_no_decision_need_no_file(rt, org, power):
    case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    [accept] = open_steps(rt, case.id)
    complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
    [review] = open_steps(rt, case.id)
    complete_task(rt, review.id, PASS, org.reviewer)
    assert open_steps(rt, case.id) == []
