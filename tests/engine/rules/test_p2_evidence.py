"""Rule P2: a decision completed without a required material, or a stored file whose bytes no longer match the hash
recorded at upload, raises a red alert with the evidence; complete evidence, untouched files and flowcharts that do
not ask for materials raise none."""

from __future__ import annotations

from pathlib import Path

import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.files.checks import checked_upload
from engine.files.records import Target, add_file
from engine.files.storage import local_storage
from engine.platform import build_runtime
from engine.rules import p2_evidence
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import User
from engine.store.files import Attachment
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, Org, open_steps
from tests.engine.files import samples
from tests.engine.files.helpers import attach_evidence
from tests.engine.rules.flows import alerts_of, deploy_flow, with_properties
from tests.settings import make_settings

MATERIALS = [{"name": "申请书", "required": True}, {"name": "营业执照复印件", "required": True},
             {"name": "授权委托书", "required": False}]
CODE = "510000-CSJ-XK-021"


def _material(rt: Runtime, user: User, case_id: int, name: str) -> None:
    upload = checked_upload(f"{name}.pdf", samples.pdf(name), rt.settings.max_file_bytes)
    add_file(rt, local_storage(rt.settings.files_dir), user, case_id, Target.of_material(name), upload)


def _stored_path(rt: Runtime, key: str) -> Path:
    """Where the local storage keeps ``key`` (a test reaches behind the platform to alter it)."""
    return Path(rt.settings.files_dir) / key[:2] / key[2:4] / key


def _decided(rt: Runtime, org: Org, materials: list[str], *, code: str = CODE) -> tuple[int, str]:
    """A case accepted with ``materials`` uploaded and decided; (case id, the decision's task id)."""
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, code, APPLICANT, "申请", actor="clerk")
        for name in materials:
            _material(rt, org.clerk, case.id, name)
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [decide] = open_steps(rt, case.id)
        attach_evidence(rt, org.reviewer, case.id, decide.id)
        complete_task(rt, decide.id, {"opinion": "准予", "legal_basis": "《行政许可法》第三十八条"}, org.reviewer)
    assert open_steps(rt, case.id) == []  # alerted, never refused
    return case.id, decide.id


def test_a_decision_missing_a_required_material_raises_one_red_alert_naming_it(rt, org):
    deploy_flow(rt, org, with_properties(decide={"requiresMaterials": "true"}), CODE, materials=MATERIALS)
    case_id, decide = _decided(rt, org, ["申请书"])
    [alert] = alerts_of(rt, case_id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name) == ("P2", "red", f"evidence:{decide}",
                                                                         "作出许可决定")
    assert alert.details == {"missing": ["营业执照复印件"], "names": "营业执照复印件", "by": "reviewer"}
    assert alert.message == "决定环节「作出许可决定」办结时缺少必需的申请材料：营业执照复印件（红灯报警）"
    assert describe(alert, "en", "-") == ("The decision step \"作出许可决定\" was completed without required "
                                          "materials: 营业执照复印件 (red alert)")


def test_every_required_material_held_or_no_requirement_in_the_flowchart_raises_none(rt, org):
    deploy_flow(rt, org, with_properties(decide={"requiresMaterials": "true"}), CODE, materials=MATERIALS)
    case_id, _ = _decided(rt, org, ["申请书", "营业执照复印件"])  # the optional 授权委托书 is not needed
    assert alerts_of(rt, case_id) == []
    deploy_flow(rt, org, with_properties(), "510000-CSJ-XK-022", materials=MATERIALS)
    case_id, _ = _decided(rt, org, [], code="510000-CSJ-XK-022")
    assert alerts_of(rt, case_id) == []


def test_a_stored_file_changed_or_lost_after_upload_is_found_by_the_sweep_once(db, rt, org, tmp_path):
    # Files of a storage of the test's own: the suite's is shared and content-addressed, and these get altered.
    rt = build_runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms", files_dir=tmp_path))
    deploy_flow(rt, org, with_properties(), CODE, materials=MATERIALS)
    case_id, _ = _decided(rt, org, ["申请书", "营业执照复印件"])
    assert p2_evidence.sweep(rt, MONDAY_10_BJ) == 0  # every file as uploaded
    with rt.reader() as s:
        files = {a.material or "evidence": a for a in s.execute(
            select(Attachment).where(Attachment.case_id == case_id)).scalars()}
    tampered, lost = files["申请书"], files["营业执照复印件"]
    _stored_path(rt, tampered.storage_key).write_bytes(b"%PDF-1.4 something else")
    _stored_path(rt, lost.storage_key).unlink()
    assert p2_evidence.sweep(rt, MONDAY_10_BJ) == 2
    assert p2_evidence.sweep(rt, MONDAY_10_BJ) == 0  # once per file
    alerts = {a.subject: a for a in alerts_of(rt, case_id, "P2")}
    assert set(alerts) == {f"file:{tampered.id}", f"file:{lost.id}"}
    changed = alerts[f"file:{tampered.id}"]
    assert changed.details["recorded"] == tampered.sha256 and changed.details["found"] not in (None, tampered.sha256)
    assert alerts[f"file:{lost.id}"].details["found"] is None
    assert changed.message == "证据材料「申请书.pdf」（第 1 版）的内容与登记的 SHA-256 不符或已丢失（红灯报警）"
    assert describe(changed, "en", "-") == ("The stored file \"申请书.pdf\" (version 1) no longer matches its "
                                            "recorded SHA-256 or is missing (red alert)")
