"""Consistency of the demo: registration and the 受理 forms offer the same ID types (台湾居民来往大陆通行证 checked as
such), and every power that can be registered runs a flowchart and forms of its own kind."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from engine.applicant_ids import ID_TYPE_TITLES, ID_TYPES
from engine.demo_catalog import ENTRIES, INTERNAL
from engine.store import Case, Power
from tests.app.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = re.compile(r'<select name="applicant_id_type">(.*?)</select>', re.S)


def _form_id_types(name: str) -> list[tuple[str, str]]:
    schema = json.loads((ROOT / "forms" / f"{name}.json").read_text(encoding="utf-8"))
    return [(o["const"], o["title"]) for o in schema["properties"]["applicant_id_type"]["oneOf"]]


def test_registration_offers_the_id_types_of_the_acceptance_forms(app):
    client = app.test_client()
    sign_in(client, "shouli")
    page = client.get("/work/cases/new").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)"', OPTIONS.search(page).group(1))
    assert offered == list(ID_TYPE_TITLES)
    assert "台湾居民来往大陆通行证" in offered
    # The forms that take the applicant over from registration use the same values and titles, in the same order
    # (高龄津贴 is for a natural person: it leaves out 统一社会信用代码 and nothing else).
    for form in ("license_food_business_accept", "license_special_equipment_accept", "penalty_general_register"):
        assert _form_id_types(form) == list(ID_TYPES), form
    assert _form_id_types("confirmation_simple_accept") == [t for t in ID_TYPES if t[0] != "uscc"]


def _register(client, token: str, power: str, id_type: str, number: str):
    return client.post("/work/cases/new", data={
        "csrf": token, "power": power, "subject": "申请", "applicant_name": "林某某", "applicant_id_type": id_type,
        "applicant_id_number": number, "applicant_contact": "13912345678"})


def _code(demo_db, name: str) -> str:
    with demo_db.sessions() as s:
        return s.execute(select(Power.code).where(Power.name == name)).scalar_one()


def test_a_taiwan_resident_is_registered_with_their_permit_checked_as_such(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "shouli")
    food = _code(demo_db, "食品经营许可")
    for wrong in ("A1234567", "1234567", "123456789"):
        resp = _register(client, token, food, "台湾居民来往大陆通行证", wrong)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422 and "证件号码不符合所选证件类型的格式" in page, wrong
        assert f'value="{wrong}"' in page  # what was typed stays
    resp = _register(client, token, food, "台湾居民来往大陆通行证", "12345678")
    assert resp.status_code == 302
    case_url = resp.headers["Location"]
    with demo_db.sessions() as s:
        case = s.get_one(Case, int(case_url.rstrip("/").rsplit("/", 1)[-1]))
        assert (case.applicant_id_type, case.applicant_id_number) == ("台湾居民来往大陆通行证", "12345678")
    # The 受理 step opens with the permit chosen in its own list.
    page = client.get(case_url).get_data(as_text=True)
    task = re.search(r'href="(/work/tasks/[^"]+)">受理<', page).group(1)
    form = client.get(task).get_data(as_text=True)
    assert re.search(r'name="applicant_id_type" value="taiwan_permit"\s+checked', form)


def test_every_registrable_demo_power_runs_a_flowchart_of_its_own_kind(demo_db):
    with demo_db.sessions() as s:
        powers = {p.name: p for p in s.execute(select(Power)).scalars()}
    for entry in ENTRIES:
        power = powers[entry.name]
        if entry.name in INTERNAL:
            assert power.process_key is not None, entry.name
        else:
            assert power.process_key is None, entry.name  # nothing to run: it cannot be registered
    assert INTERNAL["特种设备使用登记"] != INTERNAL["食品经营许可"]


def test_a_lift_owner_is_asked_about_the_lift_not_a_food_business(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "shouli")
    resp = _register(client, token, _code(demo_db, "特种设备使用登记"), "统一社会信用代码", "91519900MA62A1B2CY")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    task = re.search(r'href="(/work/tasks/[^"]+)">受理<', page).group(1)
    form = client.get(task).get_data(as_text=True)
    assert "特种设备使用登记 · 受理" in form and "设备类别" in form and "电梯" in form and "设备代码" in form
    assert "主体业态" not in form and "餐饮服务经营者" not in form and "食品" not in form


def test_a_power_without_a_flowchart_of_its_own_is_not_offered_nor_registered(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "mz_shouli")  # 民政局 window
    page = client.get("/work/cases/new").get_data(as_text=True)
    association = _code(demo_db, "社会团体成立登记")
    assert association not in page and _code(demo_db, "高龄津贴资格确认") in page
    resp = _register(client, token, association, "居民身份证", "11010519491231002X")
    assert resp.status_code == 422
    with demo_db.sessions() as s:
        assert s.execute(select(Case).where(Case.applicant_name == "林某某")).first() is None
