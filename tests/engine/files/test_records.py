"""Adding files to a case and reading them back: versions, hashes in the audit chain, access, nothing on refusal."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from engine import audit
from engine.files.checks import checked_upload
from engine.files.errors import FileProblem
from engine.files.listing import case_files
from engine.files.records import Target, add_file, open_file
from engine.files.storage import LocalStorage
from engine.runtime.cases import start_case
from engine.store import AuditEvent, PowerVersion
from engine.store.files import Attachment
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps
from tests.engine.files import samples

MATERIALS = [{"name": "申请书", "copies": 1, "required": True, "note": ""},
             {"name": "营业执照", "copies": 1, "required": True, "note": "核验原件"},
             {"name": "授权委托书", "copies": 1, "required": False, "note": "委托他人办理的提供"}]


def publish_materials(rt, power) -> None:
    with rt.sessions.begin() as s:
        s.add(PowerVersion(power_id=power.id, number=1, fields={"materials": MATERIALS}, status="published",
                           published_at=MONDAY_10_BJ.replace(year=2025), published_by="legal"))


def stored(tmp_path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file())


def counts(rt, case_id: int) -> tuple[int, int]:
    with rt.reader() as s:
        return (s.execute(select(func.count()).select_from(Attachment)).scalar(),
                s.execute(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.case_id == case_id, AuditEvent.action.like("file.%"))).scalar())


@pytest.fixture
def case(rt, org, power):
    publish_materials(rt, power)
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_material_is_stored_by_its_hash_and_recorded_in_the_case_s_audit_stream(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    upload = checked_upload("营业执照.pdf", samples.pdf("licence"), 1 << 20)
    row = add_file(rt, storage, org.clerk, case.id, Target.of_material("营业执照"), upload)

    assert (row.kind, row.material, row.version, row.display_name, row.content_type, row.size, row.uploaded_by) == \
        ("material", "营业执照", 1, "营业执照.pdf", "application/pdf", upload.size, "clerk")
    assert row.storage_key == row.sha256 == upload.sha256
    assert stored(tmp_path) == [upload.sha256]  # never the user's file name on disk
    with rt.reader() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "file.uploaded")).scalar_one()
    assert event.case_id == case.id and event.actor == "clerk"
    assert event.payload["sha256"] == upload.sha256 and event.payload["material"] == "营业执照"
    with rt.sessions() as s:  # linked into the case's chain like every other event
        assert audit.verify(s).ok


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_new_upload_of_the_same_material_is_a_new_version_and_the_old_one_stays(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    first = add_file(rt, storage, org.clerk, case.id, Target.of_material("申请书"),
                     checked_upload("申请书.pdf", samples.pdf("v1"), 1 << 20))
    second = add_file(rt, storage, org.clerk, case.id, Target.of_material("申请书"),
                      checked_upload("申请书（修改）.pdf", samples.pdf("v2"), 1 << 20))
    assert (first.version, second.version) == (1, 2)
    assert len(stored(tmp_path)) == 2
    with rt.reader() as s:
        files = case_files(rt, s, s.get(type(case), case.id))
    checklist = {slot.title: [v.version for v in slot.versions] for slot in files.materials}
    assert checklist == {"申请书": [2, 1], "营业执照": [], "授权委托书": []}
    assert open_file(rt, storage, org.clerk, first.id, how="download").data == samples.pdf("v1")


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_evidence_belongs_to_a_step_of_the_case(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    [accept] = open_steps(rt, case.id)
    row = add_file(rt, storage, org.clerk, case.id, Target.of_step(accept.id),
                   checked_upload("现场照片.png", samples.png(), 1 << 20))
    assert (row.kind, row.task_id, row.step_name, row.bpmn_id) == ("evidence", accept.id, "受理申请", "accept")
    with pytest.raises(FileProblem) as refused:
        add_file(rt, storage, org.clerk, case.id, Target.of_step("00000000-0000-0000-0000-000000000000"),
                 checked_upload("a.png", samples.png(), 1 << 20))
    assert refused.value.code == "file.no_such_step"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_refusals_store_nothing(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    upload = checked_upload("a.pdf", samples.pdf(), 1 << 20)
    with pytest.raises(FileProblem) as refused:  # another department's staff
        add_file(rt, storage, org.outsider, case.id, Target.of_material("申请书"), upload)
    assert refused.value.code == "file.not_allowed"
    with pytest.raises(FileProblem) as refused:  # not on the power's list
        add_file(rt, storage, org.clerk, case.id, Target.of_material("../../etc/passwd"), upload)
    assert refused.value.message("zh") == "「../../etc/passwd」不在本事项的申请材料清单中。"
    assert counts(rt, case.id) == (0, 0)
    assert stored(tmp_path) == []


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_reading_a_file_checks_who_may_see_the_case_and_is_recorded(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    row = add_file(rt, storage, org.clerk, case.id, Target.of_material("申请书"),
                   checked_upload("申请书.pdf", samples.pdf(), 1 << 20))
    with pytest.raises(FileProblem) as refused:
        open_file(rt, storage, org.outsider, row.id, how="download")
    assert refused.value.code == "file.not_found"  # the same answer as for a file that does not exist
    assert counts(rt, case.id) == (1, 1)
    opened = open_file(rt, storage, org.reviewer, row.id, how="preview")  # same department
    assert opened.row.display_name == "申请书.pdf"
    with rt.reader() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "file.downloaded")).scalar_one()
    assert (event.actor, event.case_id, event.payload["how"], event.payload["sha256"]) == \
        ("reviewer", case.id, "preview", row.sha256)


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_content_changed_in_the_storage_is_not_handed_out(rt, org, case, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    row = add_file(rt, storage, org.clerk, case.id, Target.of_material("申请书"),
                   checked_upload("申请书.pdf", samples.pdf(), 1 << 20))
    path = next(p for p in (tmp_path / "files").rglob("*") if p.is_file())
    path.chmod(0o600)
    path.write_bytes(b"%PDF-1.4 forged")
    with pytest.raises(FileProblem) as refused:
        open_file(rt, storage, org.clerk, row.id, how="download")
    assert refused.value.code == "file.missing_bytes"


def test_the_database_refuses_to_change_or_delete_a_file_row(rt, org, case, tmp_path):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        row = add_file(rt, LocalStorage(tmp_path / "files"), org.clerk, case.id, Target.of_material("申请书"),
                       checked_upload("申请书.pdf", samples.pdf(), 1 << 20))
    for statement in (Attachment.__table__.update().values(display_name="x"), Attachment.__table__.delete()):
        with pytest.raises(Exception, match="append-only"), rt.sessions.begin() as s:
            s.execute(statement.where(Attachment.id == row.id))
