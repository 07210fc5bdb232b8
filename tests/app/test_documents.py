"""Legal documents on the web: the legal office edits templates (preview, new version), staff issue documents at a
step and on the case page, download and print them with an access check and an audit event."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from engine.store import AuditEvent, Case, OpenTask
from engine.store.documents import Document, DocumentTemplate
from tests.app.conftest import sign_in


def _text(pdf: bytes) -> str:
    return re.sub(r"[\s\u3000]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def _accept_step(demo_db) -> tuple[int, str]:
    with demo_db.sessions() as s:
        step = s.execute(select(OpenTask).where(OpenTask.bpmn_id == "accept").order_by(OpenTask.case_id)
                         ).scalars().first()
        return step.case_id, step.id


def test_the_legal_office_previews_and_saves_a_new_template_version(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    page = client.get("/documents/templates").get_data(as_text=True)
    assert "补正材料通知书" in page and "送达回证" in page
    edit = client.get("/documents/templates/supplement").get_data(as_text=True)
    assert "{{缺少材料}}" in edit and "当前为第 1 版" in edit
    body = "{{申请人}}：\n请补正：\n{{缺少材料}}\n[右]{{发文机关}}"
    preview = client.post("/documents/templates/supplement/preview",
                          data={"csrf": token, "title": "补正材料通知书（试行）", "body": body})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "补正材料通知书（试行）" in _text(preview.data) and "请补正" in _text(preview.data)
    with demo_db.sessions() as s:  # a preview stores nothing
        assert s.execute(select(DocumentTemplate.version).where(DocumentTemplate.kind == "supplement")
                         ).scalars().all() == [1]
    bad = client.post("/documents/templates/supplement",
                      data={"csrf": token, "title": "补正材料通知书", "body": body + "{{罚金}}", "based_on": "1"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "无法识别的字段：罚金" in page and "{{罚金}}" in page  # the message, and what was typed is kept
    saved = client.post("/documents/templates/supplement", data={
        "csrf": token, "title": "补正材料通知书", "body": body, "based_on": "1", "note": "精简"})
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "当前为第 2 版" in page and "精简" in page
    with demo_db.sessions() as s:
        assert s.execute(select(DocumentTemplate.version).where(DocumentTemplate.kind == "supplement")
                         .order_by(DocumentTemplate.version)).scalars().all() == [1, 2]


def test_templates_are_for_the_legal_office_only(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    assert client.get("/documents/templates").status_code == 403
    assert client.post("/documents/templates/supplement", data={"csrf": token, "title": "x", "body": "y",
                                                                 "based_on": "1"}).status_code == 403
    assert "文书模板" not in client.get("/work/").get_data(as_text=True)
    legal = app.test_client()
    sign_in(legal, "fazhiban")
    assert "文书模板" in legal.get("/work/").get_data(as_text=True)


def test_a_clerk_issues_a_supplement_notice_from_the_step_with_what_is_typed(app, demo_db):
    case_id, task_id = _accept_step(demo_db)
    client = app.test_client()
    token = sign_in(client, "shouli")
    step = client.get(f"/work/tasks/{task_id}").get_data(as_text=True)
    assert 'form="stepform"' in step and "签发《补正材料通知书》" in step
    answer = client.post(f"/documents/cases/{case_id}/issue?task={task_id}", data={
        "csrf": token, "document_kind": "supplement", "accept_result": "supplement",
        "material_application": "false", "supplement_list": "从业人员健康证明"})
    assert answer.status_code == 200
    number = re.search(r'data-number="([^"]+)"', answer.get_data(as_text=True))[1]
    assert number == "示范市监管许补字〔2026〕第 1 号" or number.startswith("示范市监管许补字〔")
    with demo_db.sessions() as s:
        doc = s.execute(select(Document).where(Document.number == number)).scalar_one()
        assert (doc.step_name, doc.case_id) == ("受理", case_id)
    case_page = client.get(f"/work/cases/{case_id}").get_data(as_text=True)
    assert number in case_page and "补正材料通知书" in case_page
    download = client.get(f"/documents/{doc.id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    text = _text(download.data)
    assert number.replace(" ", "") in text and "1.食品经营许可申请书" in text and "2.从业人员健康证明" in text
    printed = client.get(f"/documents/{doc.id}/print")
    assert printed.status_code == 200 and "inline" in printed.headers["Content-Disposition"]
    with demo_db.sessions() as s:
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.case_id == case_id,
                                                            AuditEvent.action.like("document.%"))
                            .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["document.issued", "document.downloaded", "document.printed"]


def test_issuing_and_correcting_on_the_case_page(app, demo_db):
    case_id, _ = _accept_step(demo_db)
    client = app.test_client()
    token = sign_in(client, "shouli")
    issued = client.post(f"/documents/cases/{case_id}/issue", data={"csrf": token, "document_kind": "acceptance"})
    assert issued.status_code == 302
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "已签发 受理通知书 示范市监管许受字〔" in page
    # A licence's page offers the licence's documents, not a penalty's; the engine refuses one posted anyway.
    assert '<option value="supplement">' in page and '<option value="penalty_decision">' not in page
    wrong = client.post(f"/documents/cases/{case_id}/issue", data={"csrf": token, "document_kind": "penalty_decision"})
    assert "《行政处罚决定书》不适用于这类办件" in client.get(wrong.headers["Location"]).get_data(as_text=True)
    with demo_db.sessions() as s:
        old = s.execute(select(Document).where(Document.case_id == case_id)).scalar_one()
    refused = client.post(f"/documents/{old.id}/reissue", data={"csrf": token, "reason": ""})
    assert "请填写更正理由" in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post(f"/documents/{old.id}/reissue", data={"csrf": token, "reason": "申请日期有误"})
    page = client.get(f"/work/cases/{case_id}").get_data(as_text=True)
    with demo_db.sessions() as s:
        new = s.execute(select(Document).where(Document.replaces_id == old.id)).scalar_one()
    assert f"已被 {new.number} 更正" in page and "申请日期有误" in page
    assert f"本文书更正{old.number.replace(' ', '')}" in _text(client.get(f"/documents/{new.id}.pdf").data)


def test_documents_of_a_case_are_refused_to_other_departments(app, demo_db):
    case_id, _ = _accept_step(demo_db)
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    clerk.post(f"/documents/cases/{case_id}/issue", data={"csrf": token, "document_kind": "acceptance"})
    with demo_db.sessions() as s:
        doc_id = s.execute(select(Document.id).where(Document.case_id == case_id)).scalar_one()
    outsider = app.test_client()
    other_token = sign_in(outsider, "mz_shouli")  # 民政局's window clerk
    assert outsider.get(f"/documents/{doc_id}.pdf").status_code == 404
    assert outsider.get(f"/documents/{doc_id}/print").status_code == 404
    assert outsider.post(f"/documents/cases/{case_id}/issue",
                         data={"csrf": other_token, "document_kind": "acceptance"}).status_code == 404
    supervisor = app.test_client()
    sup_token = sign_in(supervisor, "jiancha")  # sees every case, issues nothing
    assert supervisor.get(f"/documents/{doc_id}.pdf").status_code == 200
    answer = supervisor.post(f"/documents/cases/{case_id}/issue", data={"csrf": sup_token,
                                                                         "document_kind": "acceptance"})
    assert "只有本办件所属部门的工作人员" in supervisor.get(answer.headers["Location"]).get_data(as_text=True)
    with demo_db.sessions() as s:
        assert s.execute(select(Case.id).where(Case.id == case_id)).scalar_one() == case_id
        assert len(s.execute(select(Document.id).where(Document.case_id == case_id)).all()) == 1


def test_a_pdf_changed_in_the_storage_is_not_served(app, demo_db):
    case_id, _ = _accept_step(demo_db)
    client = app.test_client()
    token = sign_in(client, "shouli")
    client.post(f"/documents/cases/{case_id}/issue", data={"csrf": token, "document_kind": "acceptance"})
    with demo_db.sessions() as s:
        doc = s.execute(select(Document).where(Document.case_id == case_id)).scalar_one()
    stored = next(Path(app.extensions["sunshine"].settings.files_dir).rglob(doc.sha256))
    original = stored.read_bytes()
    stored.chmod(0o600)
    stored.write_bytes(b"%PDF-1.4 forged")
    try:
        answer = client.get(f"/documents/{doc.id}.pdf")
    finally:  # the suite's storage is shared: put it back for any other test that made the same bytes
        stored.write_bytes(original)
    assert answer.status_code == 302
    assert "缺失或与签发时的哈希值不符" in client.get(answer.headers["Location"]).get_data(as_text=True)
