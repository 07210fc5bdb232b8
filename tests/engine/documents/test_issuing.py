"""Issuing: the PDF carries the Chinese text and the number; templates are versioned; a correction cites the old
document; the hash is in the case's audit stream; nothing issued changes."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from engine.documents import templates
from engine.documents.errors import DocumentProblem
from engine.documents.issuing import documents_of
from engine.documents.kinds import KINDS
from engine.documents.values import form_fields
from engine.files.storage import local_storage
from engine.store import AuditEvent, Case, Power
from engine.store.documents import Document
from tests.engine.documents.helpers import issue_as, licence_at_accept, pdf_text, user

#: What the clerk has typed in the 受理 form when issuing the 补正 notice (not submitted yet).
TYPED = {"accept_result": "supplement", "material_application": "true", "material_subject_certificate": "true",
         "material_layout": "false", "material_safety_rules": "false",
         "supplement_list": "1. 经营场所平面布局图\n2. 从业人员健康证明"}


def test_a_supplement_notice_lists_every_missing_material_in_its_pdf(demo_rt):
    case_id, task_id = licence_at_accept(demo_rt)
    issued = issue_as(demo_rt, "shouli", case_id, "supplement", task_id=task_id, current=TYPED)
    body = pdf_text(demo_rt, issued.number)
    assert "补正材料通知书" in body and issued.number.replace(" ", "") in body
    assert "示范市市场监督管理局" in body and "示范市味之源餐饮管理有限公司" in body
    assert "一次性告知" in body
    for item in ("1.与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
                 "2.食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等规章制度目录清单",
                 "3.经营场所平面布局图", "4.从业人员健康证明"):
        assert item in body
    assert "食品经营许可申请书" not in body  # submitted: not asked for again
    with demo_rt.reader() as s:
        [doc] = documents_of(s, case_id)
        assert (doc.step_name, doc.task_id, doc.template.version) == ("受理", task_id, 1)


def test_the_hash_of_the_stored_pdf_is_in_the_case_s_audit_stream(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    issued = issue_as(demo_rt, "shouli", case_id, "acceptance")
    pdf = local_storage(demo_rt.settings.files_dir).read(issued.sha256)  # the PDF is in the file storage
    with demo_rt.reader() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "document.issued")).scalar_one()
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256 == event.payload["sha256"]
    assert event.case_id == case_id and event.payload["number"] == issued.number
    assert event.payload["template_version"] == 1


def test_a_new_template_version_is_used_by_new_documents_and_old_ones_keep_theirs(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    before = issue_as(demo_rt, "shouli", case_id, "acceptance")
    fields = form_fields(demo_rt.forms)
    with demo_rt.sessions.begin() as s:
        saved = templates.save(s, user(s, "fazhiban"), KINDS["acceptance"], "受理通知书",
                               "{{申请人}}：\n本机关已受理你的申请（{{办件编号}}），经营场所：{{business_address}}。",
                               based_on=1, form_fields=fields, note="精简")
        assert saved.version == 2
    after = issue_as(demo_rt, "shouli", case_id, "acceptance")
    assert "本机关已受理你的申请" in pdf_text(demo_rt, after.number)
    assert "本机关已受理你的申请" not in pdf_text(demo_rt, before.number)
    with demo_rt.reader() as s:
        versions = {d.number: d.template.version for d in documents_of(s, case_id)}
        assert versions == {before.number: 1, after.number: 2}
        assert [t.version for t in templates.versions(s, "acceptance")] == [2, 1]
        assert s.execute(select(AuditEvent.payload).where(AuditEvent.action == "document.template_saved")
                         ).scalar_one()["version"] == 2


def test_only_the_legal_office_saves_templates_and_only_valid_ones(demo_rt):
    fields = form_fields(demo_rt.forms)
    kind = KINDS["supplement"]
    with demo_rt.sessions.begin() as s:
        with pytest.raises(DocumentProblem) as not_legal:
            templates.save(s, user(s, "shouli"), kind, "补正", "{{申请人}}", based_on=1, form_fields=fields)
        assert not_legal.value.code == "template.not_legal"
        with pytest.raises(DocumentProblem) as unknown:
            templates.save(s, user(s, "fazhiban"), kind, "补正", "{{申请人名}} {{__class__}} {{reason}}",
                           based_on=1, form_fields=fields)
        assert unknown.value.code == "template.unknown"
        assert "申请人名、__class__" in unknown.value.message("zh")
        with pytest.raises(DocumentProblem) as braces:
            templates.save(s, user(s, "fazhiban"), kind, "补正", "{{申请人}", based_on=1, form_fields=fields)
        assert braces.value.code == "template.braces"
        with pytest.raises(DocumentProblem) as stale:  # someone saved version 2 meanwhile
            templates.save(s, user(s, "fazhiban"), kind, "补正", "{{申请人}}", based_on=0, form_fields=fields)
        assert stale.value.code == "template.stale"
        assert templates.current(s, "supplement").version == 1


def test_a_correction_is_a_new_number_citing_the_old_document_which_stays(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    old = issue_as(demo_rt, "shouli", case_id, "acceptance")
    with pytest.raises(DocumentProblem) as no_reason:
        issue_as(demo_rt, "shouli", case_id, "acceptance", replaces_id=old.id, reason="  ")
    assert no_reason.value.code == "document.reason"
    new = issue_as(demo_rt, "shouli", case_id, "ignored", replaces_id=old.id, reason="受理日期写错")
    assert new.number != old.number and new.number.endswith("第 2 号")
    body = pdf_text(demo_rt, new.number)
    assert f"本文书更正{old.number.replace(' ', '')}" in body and "受理日期写错" in body
    with pytest.raises(DocumentProblem) as twice:
        issue_as(demo_rt, "shouli", case_id, "acceptance", replaces_id=old.id, reason="再改")
    assert twice.value.code == "document.replaced" and new.number in twice.value.message("zh")
    with demo_rt.reader() as s:
        docs = documents_of(s, case_id)
        assert [(d.number, d.replaces_id) for d in docs] == [(old.number, None), (new.number, old.id)]
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "document.corrected")).scalar_one()
        assert event.payload["replaces"] == old.number and event.payload["reason"] == "受理日期写错"


def test_the_database_refuses_to_change_or_delete_an_issued_document(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    issued = issue_as(demo_rt, "shouli", case_id, "acceptance")
    for statement in (update(Document).where(Document.id == issued.id).values(text="改过"),
                      text(f"DELETE FROM documents WHERE id = {issued.id}")):
        with pytest.raises(DBAPIError), demo_rt.sessions.begin() as s:
            s.execute(statement)
    assert issued.number.replace(" ", "") in pdf_text(demo_rt, issued.number)


def test_a_penalty_case_has_its_own_series_and_refuses_a_licence_s_documents(demo_rt):
    with demo_rt.reader() as s:
        case_id = s.execute(select(Case.id).join(Power, Power.id == Case.power_id)
                            .where(Power.category == "penalty")).scalars().first()
    decision = issue_as(demo_rt, "zhifa", case_id, "penalty_decision")
    assert re.fullmatch(r"示范市监管罚字〔\d{4}〕第 1 号", decision.number)
    body = pdf_text(demo_rt, decision.number)
    assert "行政处罚决定书" in body and "当事人：示范市惠民超市有限公司" in body and "申请行政复议" in body
    with pytest.raises(DocumentProblem) as refused:
        issue_as(demo_rt, "zhifa", case_id, "licence_grant")
    assert refused.value.message("zh") == "《准予行政许可决定书》不适用于这类办件。"
