"""The catalog workspace over HTTP: a department drafts, the legal office and government review in their inboxes."""

from __future__ import annotations

import io
import re
from pathlib import Path

from tests.app.conftest import new_change, required_mark, sign_in

ROOT = Path(__file__).resolve().parents[2]
LICENSE_BPMN = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()
TASK_LINK = re.compile(r'class="open-task" href="(/work/tasks/[^"]+)">([^<]+)<')

FORM = {
    "implementing_body": "示范市市场监督管理局",
    "legal_basis": "《中华人民共和国食品安全法》|第三十五条|国家对食品生产经营实行许可制度。|https://flk.npc.gov.cn/",
    "conditions": "有与经营的食品品种、数量相适应的经营场所。",
    "materials": "食品经营许可申请书|1|是\n营业执照复印件",
    "fees_charged": "no", "legal_limit_days": "20", "promised_limit_days": "10",
    "place": "示范市政务服务中心二楼", "phone": "0837-2881000", "supervision_phone": "0837-12345",
    "online_url": "https://zwfw.example.gov.cn/spjy", "service_guide": "可通过窗口或网上提交申请。",
    "forms": "食品经营许可申请书|https://zwfw.example.gov.cn/forms/spjy.docx",
    "faq": "需要现场核查吗？|新办许可需要现场核查。",
    "rights_channels": "可依法申请行政复议或者提起行政诉讼。",
}


def _work(client, token, data):
    [(href, _)] = TASK_LINK.findall(client.get("/work/").get_data(as_text=True))
    resp = client.post(href, data={"csrf": token, **data})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]


def test_a_department_drafts_a_power_and_the_review_chain_publishes_it(app):
    drafter = app.test_client()
    token = sign_in(drafter, "mulu")
    department = re.search(r'<option value="(\d+)"', drafter.get("/catalog/changes/new").get_data(as_text=True))[1]
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": "食品经营许可（延续）", "category": "license",
        "reason": "新规施行，增加许可延续事项", "trigger_kind": "law",
        "trigger_document": "《食品经营许可和备案管理办法》", "trigger_published_on": "2026-11-16",
        "department": department,
    })
    assert resp.status_code == 302
    change_url = resp.headers["Location"]
    page = drafter.get(change_url).get_data(as_text=True)
    assert "提交前还需完成" in page and "法律依据" in page

    # A bad number and a bad line are reported by field; everything else is kept.
    resp = drafter.post(change_url + "/fields", data={"csrf": token, **FORM, "legal_limit_days": "二十",
                                                      "materials": "申请书|一份"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请填写非负整数" in page and "line 1" in page
    assert "示范市政务服务中心二楼" in drafter.get(change_url).get_data(as_text=True)

    assert drafter.post(change_url + "/fields", data={"csrf": token, **FORM}).status_code == 302
    for which in ("internal", "external"):
        resp = drafter.post(f"{change_url}/upload/{which}",
                            data={"csrf": token, "file": (io.BytesIO(LICENSE_BPMN), "x.bpmn")},
                            content_type="multipart/form-data")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert "提交前还需完成" not in drafter.get(change_url).get_data(as_text=True)

    _work(drafter, token, {"checked": "true", "opinion": "请审核"})
    legal = app.test_client()
    _work(legal, sign_in(legal, "fazhiban"), {"legal_result": "pass", "opinion": "依据充分"})
    gov = app.test_client()
    _work(gov, sign_in(gov, "shending"), {"approve_result": "approve", "opinion": "同意"})
    _work(drafter, token, {"confirmed": "true", "opinion": "已公布"})

    page = drafter.get(change_url).get_data(as_text=True)
    assert "已公布" in page and "依据充分" in page
    listing = drafter.get("/catalog/").get_data(as_text=True)
    assert "食品经营许可（延续）" in listing


def test_upload_of_a_broken_flowchart_shows_located_problems(app):
    drafter, token, change_url = new_change(app)
    broken = LICENSE_BPMN.replace(b'>workdays(3)<', b'>P3X<')
    resp = drafter.post(f"{change_url}/upload/internal", content_type="multipart/form-data",
                        data={"csrf": token, "file": (io.BytesIO(broken), "x.bpmn")})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "handle_time_limit" in page and "第 " in page


def test_staff_without_a_catalog_role_cannot_draft(app):
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    assert clerk.get("/catalog/changes/new").status_code == 403


def test_the_drafting_department_withdraws_a_request_from_its_review_step(app):
    drafter, token, change_url = new_change(app)
    # The request page links to the open review step; its form offers 提交审核 (chosen already) or 撤回申请.
    task_url = re.search(r'href="(/work/tasks/[^"]+)"', drafter.get(change_url).get_data(as_text=True))[1]
    page = drafter.get(task_url).get_data(as_text=True)
    assert re.search(r'name="prepare_result" value="submit"\s+checked', page), page
    assert 'value="withdraw"' in page and "撤回申请" in page and "撤回理由" in page
    # Submitting needs 已核对 and 申请说明, withdrawing a reason: the marks follow the choice shown.
    marks = ("prepare_result", "checked", "opinion", "reason")
    assert [required_mark(page, name) for name in marks] == [None, "shown", "shown", "hidden"]

    resp = drafter.post(task_url, data={"csrf": token, "prepare_result": "withdraw", "opinion": "不再调整"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'class="field invalid" data-field="reason"' in page
    assert [required_mark(page, name) for name in marks] == [None, "hidden", "hidden", "shown"]
    resp = drafter.post(task_url, data={"csrf": token, "prepare_result": "withdraw", "reason": "机构改革方案未定"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]

    page = drafter.get(change_url).get_data(as_text=True)
    assert re.search(r'<dd class="status">\s*已撤回', page) and "机构改革方案未定" in page
    assert "/work/tasks/" not in page and 'action="' + change_url + '/fields"' not in page
    listing = drafter.get("/catalog/").get_data(as_text=True)
    assert "测试事项" in listing and "已撤回" in listing
    drafter.get("/lang/en")
    assert re.search(r'<dd class="status">\s*Withdrawn', drafter.get(change_url).get_data(as_text=True))
