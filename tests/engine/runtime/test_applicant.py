"""A step that corrects the applicant (受理 checks the name and ID number against the documents) corrects the case
row too, recorded as its own audit event; an unchanged applicant costs nothing, a wrong one is refused at its field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import audit, clock
from engine.bpmn.rules.variables import CASE_START_DATA
from engine.casefile import case_file
from engine.forms import FormRegistry
from engine.inbox import inbox
from engine.platform import build_runtime
from engine.runtime.applicant import APPLICANT_FIELDS, Applicant, correction
from engine.runtime.cases import complete_task
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.runtime.stepforms import opening_values
from engine.store import AuditEvent, Case, OpenTask, User
from tests.settings import make_settings

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"
SHOP = Applicant("示范市味之源餐饮管理有限公司", "统一社会信用代码", "91519900MA62A1B2CY", "0837-2881234")
#: What 受理 states besides the applicant (the demo's first licence case waits there).
ACCEPT = {
    "legal_representative": "王某", "business_address": "示范市解放路88号", "entity_type": "catering",
    "business_scope": "热食类食品制售", "business_area": "186.5", "material_application": "true",
    "material_subject_certificate": "true", "material_layout": "true", "material_safety_rules": "true",
    "accept_result": "accept", "opinion": "材料齐全，予以受理。",
}
NEW_NAME, NEW_ID = "示范市味之源餐饮管理有限责任公司", "91519900MA62A1B3C0"


@pytest.fixture
def demo(demo_db) -> Runtime:
    return build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))


def _accept_step(rt: Runtime) -> tuple[str, int, dict[str, str]]:
    """The 味之源 case's 受理 step: its id, the case id and the values its form opens with."""
    with rt.reader() as s:
        task = s.execute(select(OpenTask).join(Case, Case.id == OpenTask.case_id)
                         .where(Case.applicant_name == SHOP.name, OpenTask.name == "受理")).scalar_one()
        file = case_file(s, task.case_id)
        assert file is not None
        opened = opening_values(rt, file.case, task.id, rt.forms.get(task.form))
        return task.id, task.case_id, opened


def _submitted(opened: dict[str, str], **changes: str) -> dict[str, str]:
    # Applied today: an application date may not lie in the future.
    return {**opened, **ACCEPT, "application_date": clock.local(clock.now()).date().isoformat(), **changes}


def _user(rt: Runtime, username: str) -> User:
    with rt.reader() as s:
        return s.execute(select(User).where(User.username == username)).scalar_one()


def _row(rt: Runtime, case_id: int) -> Case:
    with rt.reader() as s:
        return s.get_one(Case, case_id)


def _events(rt: Runtime, case_id: int, action: str) -> list[AuditEvent]:
    with rt.reader() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == action)
                              ).scalars())


def test_every_applicant_field_of_the_forms_is_one_the_case_row_holds():
    # The convention is the name: a typo (applicant_phone) would silently leave the case row behind.
    named = {name for path in FORMS_DIR.glob("*.json") if not path.name.endswith(".uischema.json")
             for name in json.loads(path.read_text(encoding="utf-8")).get("properties", {})
             if name.startswith("applicant_")}
    assert named == set(APPLICANT_FIELDS) and set(APPLICANT_FIELDS) <= CASE_START_DATA


def test_a_choice_by_value_or_title_and_an_id_number_in_other_case_state_the_same_applicant():
    form = FormRegistry(FORMS_DIR).get("license_food_business_accept.json")
    elder = Applicant("张某某", "居民身份证", "51990019440315002X", "13912345678")
    assert correction(elder, {"applicant_id_type": "id_card", "applicant_id_number": " 51990019440315002x"},
                      form) is None
    assert correction(elder, {"applicant_id_type": "居民身份证", "opinion": "x"}, form) is None
    changed = correction(elder, {"applicant_id_type": "passport", "applicant_name": "张某某"}, form)
    assert changed is not None and changed.after.id_type == "护照"
    assert changed.payload("t") == {"task": "t", "before": {"applicant_id_type": "居民身份证"},
                                    "after": {"applicant_id_type": "护照"}}


def test_correcting_the_name_and_id_number_at_acceptance_corrects_the_case(demo, monkeypatch):
    task_id, case_id, opened = _accept_step(demo)
    version = _row(demo, case_id).version
    case = complete_task(demo, task_id, _submitted(opened, applicant_name=NEW_NAME, applicant_id_number=NEW_ID),
                         _user(demo, "shouli"))
    # The caller's case already shows the row as committed: corrected, one version on like any step.
    assert (case.applicant_name, case.applicant_id_number, case.version) == (NEW_NAME, NEW_ID, version + 1)
    row = _row(demo, case_id)
    assert (row.applicant_name, row.applicant_id_type, row.applicant_id_number, row.applicant_contact) == (
        NEW_NAME, SHOP.id_type, NEW_ID, SHOP.contact)
    assert row.version == version + 1

    [event] = _events(demo, case_id, "case.applicant_corrected")
    assert (event.actor, event.step) == ("shouli", "受理")
    assert event.payload == {"task": task_id,
                             "before": {"applicant_name": SHOP.name, "applicant_id_number": SHOP.id_number},
                             "after": {"applicant_name": NEW_NAME, "applicant_id_number": NEW_ID}}
    with demo.reader() as s:
        assert audit.verify(s).ok
        assert {r.applicant for r in inbox(s, _user(demo, "chengban").id) if r.case_id == case_id} == {NEW_NAME}

    # The next step runs on the workflow kept in memory (the version still matches) and leaves the applicant be.
    monkeypatch.setattr(demo, "restore", lambda case: pytest.fail("restored: the live entry went stale"))
    with demo.reader() as s:
        [handle] = s.execute(select(OpenTask.id).where(OpenTask.case_id == case_id)).scalars()
    complete_task(demo, handle, {"materials_verified": "true", "onsite_inspection_required": "false",
                                 "handle_result": "grant", "opinion": "材料真实完整。"}, _user(demo, "chengban"))
    assert _row(demo, case_id).applicant_name == NEW_NAME


def test_an_unchanged_applicant_writes_no_correction(demo):
    task_id, case_id, opened = _accept_step(demo)
    assert opened["applicant_id_type"] == "uscc"  # the form's value for the row's 统一社会信用代码
    complete_task(demo, task_id, _submitted(opened), _user(demo, "shouli"))
    assert _events(demo, case_id, "case.applicant_corrected") == []
    row = _row(demo, case_id)
    assert (row.applicant_name, row.applicant_id_type, row.applicant_id_number) == (
        SHOP.name, SHOP.id_type, SHOP.id_number)


def test_a_wrong_corrected_id_number_is_refused_at_its_field_and_nothing_changes(demo):
    task_id, case_id, opened = _accept_step(demo)
    before = _row(demo, case_id)
    clerk = _user(demo, "shouli")
    with pytest.raises(RuntimeProblem) as err:
        complete_task(demo, task_id, _submitted(opened, applicant_name=NEW_NAME,
                                                applicant_id_number="91519900MA62A1B2C0"), clerk)
    assert err.value.code == "form.invalid"
    assert err.value.fields == {"applicant_id_number": "证件号码的校验位不符，请逐位核对。"}
    # A type the number does not fit, in English; the form's own messages still come along.
    with pytest.raises(RuntimeProblem) as err:
        complete_task(demo, task_id, _submitted(opened, applicant_id_type="passport", opinion=""), clerk, lang="en")
    assert err.value.fields == {"applicant_id_number": "The ID number does not have the format of the chosen ID type.",
                                "opinion": "This field is required."}
    after = _row(demo, case_id)
    assert (after.applicant_name, after.applicant_id_number, after.version) == (
        before.applicant_name, before.applicant_id_number, before.version)
    assert _events(demo, case_id, "case.applicant_corrected") == _events(demo, case_id, "task.complete") == []
    with demo.reader() as s:
        assert s.get(OpenTask, task_id) is not None
