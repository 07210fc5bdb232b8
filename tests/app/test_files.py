"""Materials and evidence on the web: upload at registration, at a step and on the case page; preview and download
with safe headers, an access check and an audit event; hostile uploads refused with a message and nothing stored."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from engine import clock
from engine.store import AuditEvent, Case
from engine.store.files import Attachment
from tests.app.conftest import sign_in
from tests.engine.files import samples
from tests.settings import make_settings

TASK_LINK = re.compile(r'class="open-task" href="(/work/tasks/[^"]+)">([^<]+)<')
MATERIAL_INPUT = re.compile(r'<input type="file" name="(material-\d+-\d+)" data-material="([^"]+)"')


@pytest.fixture
def files_app(demo_db, tmp_path):
    """The demo platform storing files in ``tmp_path/files``, with a 64 KiB limit per file."""
    application = create_app(make_settings(database_url=demo_db.url, files_dir=tmp_path / "files",
                                           max_file_bytes=64 * 1024), start_supervisor=False)
    application.config["TESTING"] = False
    return application


def stored(tmp_path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file())


def counts(demo_db) -> tuple[int, int]:
    """(file rows, file audit events) in the whole database."""
    with demo_db.sessions() as s:
        return (s.execute(select(func.count()).select_from(Attachment)).scalar(),
                s.execute(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action.like("file.%"))).scalar())


def step_link(client, name: str) -> str:
    return next(link for link, title in TASK_LINK.findall(client.get("/work/").get_data(as_text=True))
                if title == name)


def case_id_of(client, task_link: str) -> int:
    page = client.get(task_link).get_data(as_text=True)
    return int(re.search(r'action="/work/cases/(\d+)/files"', page)[1])


def upload(client, token, case_id, target, data, name, back_task=""):
    return client.post(f"/work/cases/{case_id}/files", data={
        "csrf": token, "target": target, "back_task": back_task, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def flashed(client) -> str:
    return " ".join(re.findall(r'<p class="flash" role="status">([^<]*)</p>',
                               client.get("/work/").get_data(as_text=True)))


def test_a_licence_registered_with_its_materials_lists_them_on_the_case_page(files_app, demo_db, tmp_path):
    clerk = files_app.test_client()
    token = sign_in(clerk, "shouli")
    form = clerk.get("/work/cases/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    code = re.search(r'<option value="([^"]+)"[^>]*>食品经营许可', form)[1]
    block = form[form.index(f'data-power="{code}"'):]
    inputs = {item: name for name, item in MATERIAL_INPUT.findall(block[:block.index("</div>")])}
    licence_input = inputs["营业执照或者其他主体资格证明文件"]
    application_input = inputs["食品经营许可申请书"]
    resp = clerk.post("/work/cases/new", data={
        "csrf": token, "power": code, "subject": "申请食品经营许可（新办）", "applicant_name": "示范餐饮有限公司",
        "applicant_id_type": "统一社会信用代码", "applicant_id_number": "91510100MA6C00000M",
        "applicant_contact": "028-12345678",
        licence_input: (io.BytesIO(samples.pdf("licence")), "营业执照副本.pdf"),
        application_input: (io.BytesIO(samples.png()), "申请书扫描件.png")}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "营业执照副本.pdf" in page and "申请书扫描件.png" in page
    layout = "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"
    row = re.search(rf'<tr data-material="{layout}">.*?</tr>', page, re.S)[0]
    assert "未提交" in row
    assert len(stored(tmp_path)) == 2
    with demo_db.sessions() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "file.uploaded")).scalars().all()
        rows = s.execute(select(Attachment).order_by(Attachment.id)).scalars().all()
    assert {e.payload["sha256"] for e in events} == {r.sha256 for r in rows} == set(stored(tmp_path))
    assert {(r.material, r.display_name, r.uploaded_by) for r in rows} == {
        ("营业执照或者其他主体资格证明文件", "营业执照副本.pdf", "shouli"),
        ("食品经营许可申请书", "申请书扫描件.png", "shouli")}


def test_the_accepting_step_answers_its_material_boxes_from_the_files(files_app, demo_db, tmp_path):
    # The file is the proof: the 受理 form's yes/no material fields (x-material) open answered by what was uploaded
    # at registration, each showing what is on file; the clerk's own answer, once given, is kept.
    clerk = files_app.test_client()
    token = sign_in(clerk, "shouli")
    form = clerk.get("/work/cases/new").get_data(as_text=True)
    code = re.search(r'<option value="([^"]+)"[^>]*>食品经营许可', form)[1]
    block = form[form.index(f'data-power="{code}"'):]
    inputs = {item: name for name, item in MATERIAL_INPUT.findall(block[:block.index("</div>")])}
    resp = clerk.post("/work/cases/new", data={
        "csrf": token, "power": code, "subject": "申请食品经营许可（新办）", "applicant_name": "示范餐饮有限公司",
        "applicant_id_type": "统一社会信用代码", "applicant_id_number": "91510100MA6C00000M",
        "applicant_contact": "028-12345678",
        inputs["营业执照或者其他主体资格证明文件"]: (io.BytesIO(samples.pdf("licence")), "营业执照副本.pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    case_page = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/work/tasks/[^"]+)">受理<', case_page)[1]
    page = clerk.get(link).get_data(as_text=True)

    def answer(name: str) -> str | None:
        select_ = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', page, re.S)[0]
        chosen = re.search(r'<option value="(\w*)" selected>', select_)
        return chosen[1] if chosen else None

    assert answer("material_subject_certificate") == "true" and answer("material_application") == "false"
    proof = re.search(r'material-proof" data-material="营业执照或者其他主体资格证明文件">(.*?)</small>', page, re.S)[1]
    assert "已上传 1 份" in proof
    assert "未上传文件" in re.search(r'material-proof" data-material="食品经营许可申请书">(.*?)</small>', page, re.S)[1]


def test_a_registration_with_a_refused_material_registers_nothing(files_app, demo_db, tmp_path):
    clerk = files_app.test_client()
    token = sign_in(clerk, "shouli")
    form = clerk.get("/work/cases/new").get_data(as_text=True)
    code = re.search(r'<option value="([^"]+)"[^>]*>食品经营许可', form)[1]
    first_input = re.search(rf'data-power="{code}".*?name="(material-\d+-0)"', form, re.S)[1]
    with demo_db.sessions() as s:
        cases_before = s.execute(select(func.count()).select_from(Case)).scalar()
    resp = clerk.post("/work/cases/new", data={
        "csrf": token, "power": code, "subject": "申请", "applicant_name": "示范餐饮有限公司",
        "applicant_id_type": "统一社会信用代码", "applicant_id_number": "91510100MA6C00000M",
        "applicant_contact": "028-12345678", first_input: (io.BytesIO(samples.HTML), "申请书.pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "食品经营许可申请书：「申请书.pdf」不是可接受的文件类型" in resp.get_data(as_text=True)
    with demo_db.sessions() as s:
        assert s.execute(select(func.count()).select_from(Case)).scalar() == cases_before
    assert counts(demo_db) == (0, 0) and stored(tmp_path) == []


def test_evidence_at_a_step_is_previewed_and_downloaded_with_safe_headers_and_audited(files_app, demo_db, tmp_path):
    handler = files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    case_id = case_id_of(handler, link)
    resp = upload(handler, token, case_id, f"evidence:{task_id}", samples.png(), "现场照片 1.png", back_task=task_id)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"{link}#materials")
    page = handler.get(link).get_data(as_text=True)
    assert "已上传「现场照片 1.png」（第 1 版）。" in page
    file_id = int(re.search(r'href="/work/files/(\d+)/preview"[^>]*>现场照片 1.png<', page)[1])

    shown = handler.get(f"/work/files/{file_id}/preview")
    assert shown.status_code == 200 and shown.data == samples.png()
    assert shown.headers["Content-Type"] == "image/png"
    # RFC 5987/6266: the name in UTF-8 for every browser, an ASCII fallback for very old ones.
    assert shown.headers["Content-Disposition"] == \
        "inline; filename=\" 1.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87%201.png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "no-store" in shown.headers["Cache-Control"]
    got = handler.get(f"/work/files/{file_id}/download")
    assert got.headers["Content-Disposition"].startswith("attachment;") and got.data == samples.png()

    with demo_db.sessions() as s:
        reads = s.execute(select(AuditEvent).where(AuditEvent.action == "file.downloaded")
                          .order_by(AuditEvent.id)).scalars().all()
        row = s.get(Attachment, file_id)
    assert [(e.actor, e.case_id, e.payload["how"]) for e in reads] == [
        ("chengban", case_id, "preview"), ("chengban", case_id, "download")]
    assert (row.kind, row.task_id, row.step_name, row.sha256) == ("evidence", task_id, "承办审查", stored(tmp_path)[0])


def test_office_files_are_downloaded_never_shown(files_app, demo_db):
    handler = files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    upload(handler, token, case_id_of(handler, link), f"evidence:{task_id}", samples.docx(), "核查记录.docx")
    with demo_db.sessions() as s:
        file_id = s.execute(select(Attachment.id)).scalar_one()
    resp = handler.get(f"/work/files/{file_id}/preview")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_staff_of_another_department_can_neither_read_nor_add(files_app, demo_db, tmp_path):
    handler, stranger = files_app.test_client(), files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    case_id = case_id_of(handler, link)
    upload(handler, token, case_id, f"evidence:{task_id}", samples.pdf(), "核查.pdf")
    with demo_db.sessions() as s:
        file_id = s.execute(select(Attachment.id)).scalar_one()
    before = counts(demo_db)

    other = sign_in(stranger, "mz_shouli")  # 民政局's window clerk
    assert stranger.get(f"/work/files/{file_id}/preview").status_code == 404
    assert stranger.get(f"/work/files/{file_id}/download").status_code == 404
    assert upload(stranger, other, case_id, f"evidence:{task_id}", samples.pdf("x"), "x.pdf").status_code == 404
    assert counts(demo_db) == before and len(stored(tmp_path)) == 1
    # A supervisor sees every case and may read its files, but adds none.
    boss = files_app.test_client()
    boss_token = sign_in(boss, "jiancha")
    assert boss.get(f"/work/files/{file_id}/download").status_code == 200
    assert upload(boss, boss_token, case_id, f"evidence:{task_id}", samples.pdf("y"), "y.pdf").status_code == 403


@pytest.mark.parametrize(("data", "name", "message"), [
    (samples.HTML, "营业执照.pdf", "「营业执照.pdf」不是可接受的文件类型：只接受 PDF、图片"),
    (samples.EXE, "照片.png", "「照片.png」不是可接受的文件类型"),
    (samples.png(), "营业执照.pdf", "「营业执照.pdf」的扩展名与内容不符：内容是PNG 图片，扩展名应为 .png。"),
    (samples.pdf(), "../../etc/passwd", "含有路径符号"),
    # Backslashes escaped in the multipart header, which Werkzeug reads back as ..\..\a.pdf.
    (samples.pdf(), "..\\\\..\\\\a.pdf", "含有路径符号"),
    (samples.pdf(), "a\x00b.pdf", "含有不可见字符 U+0000"),
    (samples.pdf(), "很长" * 120 + ".pdf", "文件名过长（最多 200 个字符）"),
    (samples.pdf() + b"\x00" * 70_000, "大文件.pdf", "文件「大文件.pdf」超过大小上限 64 KB"),
    (b"", "空.pdf", "未选择文件，或文件为空。"),
])
def test_hostile_uploads_are_refused_with_a_message_and_nothing_is_stored(files_app, demo_db, tmp_path, data, name,
                                                                           message):
    handler = files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    resp = upload(handler, token, case_id_of(handler, link), f"evidence:{task_id}", data, name, back_task=task_id)
    assert resp.status_code == 303
    assert message in handler.get(link).get_data(as_text=True)
    assert counts(demo_db) == (0, 0) and stored(tmp_path) == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(files_app, demo_db, tmp_path):
    handler = files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    resp = upload(handler, token, case_id_of(handler, link), f"evidence:{task_id}", b"%PDF-" + b"0" * 300_000, "a.pdf")
    assert resp.status_code == 413
    assert counts(demo_db) == (0, 0) and stored(tmp_path) == []


def test_a_decision_needs_evidence_and_then_locks_it(files_app, demo_db):
    handler, reviewer, approver = files_app.test_client(), files_app.test_client(), files_app.test_client()
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    handle_id = link.rsplit("/", 1)[1]
    case_id = case_id_of(handler, link)
    assert handler.post(link, data={"csrf": token, "materials_verified": "true", "onsite_inspection_required": "false",
                                    "handle_result": "grant", "opinion": "材料真实完整。"}).status_code == 302
    review_token = sign_in(reviewer, "shenhe")
    assert reviewer.post(step_link(reviewer, "审核"), data={
        "csrf": review_token, "review_result": "pass", "opinion": "同意。"}).status_code == 302

    approve_token = sign_in(approver, "pizhun")
    approve = step_link(approver, "批准")
    today = clock.local(clock.now()).date()
    decision = {"csrf": approve_token, "approve_result": "approve", "licence_no": "JY15199000000017",
                "decision_no": "示市监食许〔2026〕1号", "legal_basis": "《食品安全法》第三十五条",
                "opinion": "准予许可",
                "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=5 * 365)).isoformat()}
    resp = approver.post(approve, data=decision)
    assert resp.status_code == 422
    assert '<p class="field-error" role="alert" id="e-evidence">「批准」是决定环节，须先上传证据材料' in \
        resp.get_data(as_text=True)

    approve_id = approve.rsplit("/", 1)[1]
    upload(approver, approve_token, case_id, f"evidence:{approve_id}", samples.pdf("审批表"), "审批表.pdf",
           back_task=approve_id)
    assert approver.post(approve, data=decision).status_code == 302
    # The handling step's evidence is now locked; the case page says so and offers no such upload.
    resp = upload(handler, token, case_id, f"evidence:{handle_id}", samples.pdf("late"), "补充.pdf")
    assert "「批准」已作出决定，此前环节的证据和申请材料已锁定" in handler.get(resp.headers["Location"]).get_data(
        as_text=True)
    # A step still open after the decision (办结) keeps taking evidence.
    clerk = files_app.test_client()
    clerk_token = sign_in(clerk, "shouli")
    conclude = step_link(clerk, "办结")
    conclude_id = conclude.rsplit("/", 1)[1]
    resp = upload(clerk, clerk_token, case_id, f"evidence:{conclude_id}", samples.pdf("送达"), "送达照片.pdf",
                  back_task=conclude_id)
    assert "已上传「送达照片.pdf」（第 1 版）。" in clerk.get(resp.headers["Location"]).get_data(as_text=True)
    with demo_db.sessions() as s:
        assert [r.step_name for r in s.execute(select(Attachment).order_by(Attachment.id)).scalars()] == [
            "批准", "办结"]


def test_the_case_page_speaks_english_too(files_app):
    handler = files_app.test_client()
    handler.get("/lang/en")
    token = sign_in(handler, "chengban")
    link = step_link(handler, "承办审查")
    task_id = link.rsplit("/", 1)[1]
    case_id = case_id_of(handler, link)
    resp = upload(handler, token, case_id, f"evidence:{task_id}", samples.HTML, "a.pdf", back_task=task_id)
    page = handler.get(resp.headers["Location"]).get_data(as_text=True)
    assert "“a.pdf” is not a file type the platform accepts" in page and "Evidence of this step" in page
    page = handler.get(f"/work/cases/{case_id}").get_data(as_text=True)
    assert "Materials and evidence" in page and "Not submitted" in page and "未提交" not in page
