"""A name that would spoof the lists it appears in (a direction override, a zero-width space) is refused where it
is typed, at its field, naming the character in the reader's language; what was typed stays in the form."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine import clock
from engine.store import Case, Power
from tests.app.conftest import new_change, sign_in
from tests.app.test_applicant_correction import ACCEPT, TASK_LINK

SPOOF = "张\u202eRTL\u200b零宽"
RLO_ZH = "含有不可见字符 U+202E RIGHT-TO-LEFT OVERRIDE（从右至左强制），请删除后重新输入。"
RLO_EN = "Contains an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE: delete it and type the text again."
FORM = {"power": "519900-SCJGJ-XK-0001", "subject": "申请食品经营许可（新办）", "applicant_name": SPOOF,
        "applicant_id_type": "统一社会信用代码", "applicant_id_number": "91519900MA62A1B2CY",
        "applicant_contact": "0837-2881234"}


def test_registration_refuses_a_spoofing_applicant_name_at_its_field(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    resp = client.post("/work/cases/new", data={"csrf": token, **FORM})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and RLO_ZH in page
    resp = client.post("/work/cases/new", data={"csrf": token, **FORM, "applicant_name": "示范\u200b公司",
                                                "subject": "申请\u2066"})
    page = resp.get_data(as_text=True)
    assert "U+200B ZERO WIDTH SPACE（零宽空格）" in page and "U+2066 LEFT-TO-RIGHT ISOLATE" in page
    client.get("/lang/en")
    assert RLO_EN in client.post("/work/cases/new", data={"csrf": token, **FORM}).get_data(as_text=True)
    with app.extensions["sunshine"].reader() as s:
        assert not s.execute(select(Case).where(Case.applicant_name.like("%RTL%"))).first()


def test_a_step_refuses_a_spoofing_correction_and_invisible_characters_in_its_text_fields(app):
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    link = TASK_LINK.search(clerk.get("/work/").get_data(as_text=True)).group(1)
    today = clock.local(clock.now()).date().isoformat()
    resp = clerk.post(link, data={"csrf": token, **ACCEPT, "application_date": today, "applicant_name": SPOOF,
                                  "legal_representative": "王\u200d某"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and RLO_ZH in page and "U+200D ZERO WIDTH JOINER" in page
    # A textarea keeps the lines it was typed in.
    resp = clerk.post(link, data={"csrf": token, **ACCEPT, "application_date": today,
                                  "opinion": "材料齐全，\r\n予以受理。"})
    assert resp.status_code == 302, re.findall(r'class="field-error">([^<]+)', resp.get_data(as_text=True))


def test_a_new_powers_name_is_refused_with_an_invisible_character(app):
    drafter = app.test_client()
    token = sign_in(drafter, "mulu")
    form = drafter.get("/catalog/changes/new").get_data(as_text=True)
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": "食品\u202e许可", "category": "license", "reason": "测试",
        "trigger_kind": "other", "department": re.search(r'<option value="(\d+)"', form)[1]})
    assert resp.status_code == 422 and "含有看不见的字符" in resp.get_data(as_text=True)
    _, token, url = new_change(app)
    client, token, url = new_change(app)
    resp = client.post(f"{url}/fields", data={"csrf": token, "name": "测试\u200b事项"})
    assert resp.status_code == 422 and "含有看不见的字符" in resp.get_data(as_text=True)
    with app.extensions["sunshine"].reader() as s:
        assert not s.execute(select(Power).where(Power.name.like("%许可%"), Power.name.like("食品\u202e%"))).first()
