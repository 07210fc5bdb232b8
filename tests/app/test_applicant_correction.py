"""An applicant corrected at 受理 is what inboxes, the case list and the case page show, with the correction in
the case's history; a wrong ID number is marked at its field."""

from __future__ import annotations

import re

from engine import clock
from tests.app.conftest import sign_in

TASK_LINK = re.compile(r'class="open-task" href="(/work/tasks/[^"]+)">受理<')
OLD_NAME, NEW_NAME = "示范市味之源餐饮管理有限公司", "示范市味之源餐饮管理有限责任公司"
ACCEPT = {
    "applicant_name": NEW_NAME, "applicant_id_type": "uscc", "applicant_id_number": "91519900MA62A1B2CY",
    "applicant_contact": "0837-2881234", "legal_representative": "王某", "business_address": "示范市解放路88号",
    "entity_type": "catering", "business_scope": "热食类食品制售", "business_area": "186.5",
    "material_application": "true", "material_subject_certificate": "true", "material_layout": "true",
    "material_safety_rules": "true", "accept_result": "accept", "opinion": "材料齐全，予以受理。",
}


def test_a_corrected_applicant_is_shown_everywhere_with_the_correction_in_the_history(app):
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    link = TASK_LINK.search(clerk.get("/work/").get_data(as_text=True)).group(1)
    today = clock.local(clock.now()).date().isoformat()

    resp = clerk.post(link, data={"csrf": token, **ACCEPT, "application_date": today,
                                  "applicant_id_number": "91519900MA62A1B2C0"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "证件号码的校验位不符，请逐位核对。" in page
    assert 'value="91519900MA62A1B2C0"' in page  # what was typed stays
    assert OLD_NAME in clerk.get("/work/cases").get_data(as_text=True)

    assert clerk.post(link, data={"csrf": token, **ACCEPT, "application_date": today}).status_code == 302
    handler = app.test_client()
    sign_in(handler, "chengban")
    inbox = handler.get("/work/").get_data(as_text=True)
    assert NEW_NAME in inbox and OLD_NAME not in inbox
    cases = handler.get("/work/cases").get_data(as_text=True)
    assert NEW_NAME in cases and OLD_NAME not in cases

    # The inbox row whose applicant cell holds the new name links to the corrected case.
    row = re.search(r'href="(/work/cases/\d+)">[^<]*</a></td>\s*(?:<td>[^<]*</td>){2}<td>' + NEW_NAME, inbox)
    case_link = row.group(1)
    page = handler.get(case_link).get_data(as_text=True)
    facts = re.search(r'<dl class="facts">.*?</dl>', page, re.S).group(0)
    assert NEW_NAME in facts and OLD_NAME not in facts
    change = f"<li>名称或姓名：{OLD_NAME} → {NEW_NAME}</li>"
    # Once under the 受理 step in 办理过程, once in the audit trail (and the timeline names the correction).
    assert page.count(change) == 2 and page.count("更正申请人信息") == 3
    assert "case.applicant_corrected" in page
    handler.get("/lang/en")
    page = handler.get(case_link).get_data(as_text=True)
    assert "Applicant corrected" in page and f"Name (organisation or person)：{OLD_NAME} → {NEW_NAME}" in page
