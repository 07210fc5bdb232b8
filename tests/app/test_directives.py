"""督办 on the web (/directives/): a supervisor issues one, the department asks once for more time, the supervisor
decides, the head reports through the step in the inbox; listed, searched and exported to Excel."""

from __future__ import annotations

import io
import re

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from engine.store import AuditEvent, Department, OpenTask
from engine.store.alert_life import Directive
from tests.app.conftest import sign_in
from tests.engine.runtime.operations.conftest import bj


def _department(demo_db, code="SCJGJ") -> int:
    with demo_db.sessions() as s:
        return s.execute(select(Department.id).where(Department.code == code)).scalar_one()


def _issue(client, token, department_id, subject="窗口受理超时问题"):
    return client.post("/directives/new", data={"csrf": token, "department": str(department_id), "subject": subject,
                                                "requirement": "查明原因，整改并上报"})


def test_a_supervisor_issues_a_directive_and_bad_input_is_kept_with_field_messages(app, demo_db):
    client = app.test_client()
    with time_machine.travel(bj(9, 30, 10), tick=False):
        token = sign_in(client, "jiancha")
        form = client.get("/directives/new").get_data(as_text=True)
        assert "上报期限为督办之日起 20 个工作日。" in form
        bad = client.post("/directives/new", data={"csrf": token, "department": "", "subject": "  ",
                                                   "requirement": "查明原因"})
        assert bad.status_code == 422
        page = bad.get_data(as_text=True)
        assert "请填写督办事项。" in page and "请选择督办的部门。" in page and "查明原因</textarea>" in page
        resp = _issue(client, token, _department(demo_db))
        assert resp.status_code == 302
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已督办，上报期限 2026-11-03 24:00。" in page and "示范市市场监督管理局" in page
    staff = app.test_client()
    sign_in(staff, "pizhun")
    assert staff.get("/directives/new").status_code == 403


def test_the_department_asks_once_the_supervisor_grants_and_the_head_reports(app, demo_db):
    sup, head = app.test_client(), app.test_client()
    with time_machine.travel(bj(9, 30, 10), tick=False):
        token = sign_in(sup, "jiancha")
        url = _issue(sup, token, _department(demo_db)).headers["Location"]
    directive_id = int(url.rsplit("/", 1)[1])
    with time_machine.travel(bj(10, 20, 10), tick=False):
        head_token = sign_in(head, "pizhun")
        page = head.get(url).get_data(as_text=True)
        assert "申请延期</button>" in page
        too_long = head.post(f"{url}/extension", data={"csrf": head_token, "days": "11", "reason": "情况复杂"})
        assert "延期天数为1至10个工作日。" in head.get(too_long.headers["Location"]).get_data(as_text=True)
        head.post(f"{url}/extension", data={"csrf": head_token, "days": "10", "reason": "涉及多个科室"})
        page = head.get(url).get_data(as_text=True)
        assert "延期待审批" in page and "申请延期</button>" not in page
        again = head.post(f"{url}/extension", data={"csrf": head_token, "days": "2", "reason": "再延"})
        assert "延期只能申请一次。" in head.get(again.headers["Location"]).get_data(as_text=True)
        assert head.post(f"{url}/extension/decision", data={"csrf": head_token, "decision": "grant"}).status_code == 403
        token = sign_in(sup, "jiancha")
        granted = sup.post(f"{url}/extension/decision", data={"csrf": token, "decision": "grant", "opinion": "同意"})
        shown = sup.get(granted.headers["Location"]).get_data(as_text=True)
        assert "已同意延期，新的上报期限 2026-11-17 24:00。" in shown
    with time_machine.travel(bj(11, 10, 10), tick=False):
        head_token = sign_in(head, "pizhun")
        page = head.get(url).get_data(as_text=True)
        task_url = re.search(r'class="report" href="([^"]+)"', page)[1]
        done = head.post(task_url, data={"csrf": head_token, "opinion": "已查明原因并整改完毕"})
        assert done.status_code == 302
        page = head.get(url).get_data(as_text=True)
    assert "已上报" in page and "已查明原因并整改完毕" in page
    with demo_db.sessions() as s:
        d = s.get_one(Directive, directive_id)
        assert (d.state, d.late, d.extension_state) == ("reported", False, "granted")
        assert s.execute(select(OpenTask).where(OpenTask.case_id == d.own_case_id)).first() is None


def test_directives_are_listed_searched_and_seen_only_by_their_department(app, demo_db):
    sup = app.test_client()
    with time_machine.travel(bj(9, 30, 10), tick=False):
        token = sign_in(sup, "jiancha")
        _issue(sup, token, _department(demo_db), "窗口受理超时问题")
        other = _issue(sup, token, _department(demo_db, "MZJ"), "高龄津贴审核积压").headers["Location"]
        listing = sup.get("/directives/").get_data(as_text=True)
        assert "窗口受理超时问题" in listing and "高龄津贴审核积压" in listing and "共 2 件督办" in listing
        found = sup.get("/directives/?q=津贴").get_data(as_text=True)
        assert "高龄津贴审核积压" in found and "窗口受理超时问题" not in found
        by_dept = sup.get(f"/directives/?department={_department(demo_db)}").get_data(as_text=True)
        assert "窗口受理超时问题" in by_dept and "高龄津贴审核积压" not in by_dept
        assert "共 0 件督办" in sup.get("/directives/?state=reported").get_data(as_text=True)
        assert "共 2 件督办" in sup.get("/directives/?state=open").get_data(as_text=True)
        staff = app.test_client()
        sign_in(staff, "chengban")
        mine = staff.get("/directives/").get_data(as_text=True)
        assert "窗口受理超时问题" in mine and "高龄津贴审核积压" not in mine
        assert staff.get(other).status_code == 403
    with time_machine.travel(bj(11, 5, 10), tick=False):
        sign_in(sup, "jiancha")
        assert "共 2 件督办" in sup.get("/directives/?state=overdue").get_data(as_text=True)


def test_directives_export_to_excel_with_their_reports(app, demo_db):
    sup, head = app.test_client(), app.test_client()
    with time_machine.travel(bj(9, 30, 10), tick=False):
        token = sign_in(sup, "jiancha")
        url = _issue(sup, token, _department(demo_db)).headers["Location"]
        _issue(sup, token, _department(demo_db, "MZJ"), "高龄津贴审核积压")
    with time_machine.travel(bj(11, 5, 10), tick=False):  # late: the deadline was 11-03 24:00
        head_token = sign_in(head, "pizhun")
        task_url = re.search(r'class="report" href="([^"]+)"', head.get(url).get_data(as_text=True))[1]
        head.post(task_url, data={"csrf": head_token, "opinion": "已整改"})
        token = sign_in(sup, "jiancha")
        resp = sup.get("/directives/export.xlsx?q=窗口")
        mine = head.get("/directives/export.xlsx")
    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.data))["督办台账"].iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "督办事项", "督办对象", "部门")
    [row] = rows[1:]
    assert row[1:4] == ("窗口受理超时问题", "部门", "示范市市场监督管理局")
    assert (row[7], row[8], row[14], row[15]) == ("2026-11-03 24:00", "已上报", "逾期", "已整改")
    assert [r[1] for r in list(load_workbook(io.BytesIO(mine.data))["督办台账"].iter_rows(values_only=True))[1:]] == [
        "窗口受理超时问题"]  # a department's staff export only their own
    with demo_db.sessions() as s:
        actors = s.execute(select(AuditEvent.actor).where(AuditEvent.action == "directives.exported")
                           .order_by(AuditEvent.id)).scalars().all()
    assert actors == ["jiancha", "pizhun"]


def test_a_directive_from_an_alert_or_a_case_page(app, demo_db):
    client = app.test_client()
    with time_machine.travel(bj(9, 30, 10), tick=False):
        token = sign_in(client, "jiancha")
        with demo_db.sessions() as s:
            case_id = s.execute(select(OpenTask.case_id).limit(1)).scalar_one()
        case_page = client.get(f"/work/cases/{case_id}").get_data(as_text=True)
        assert f'href="/directives/new?case={case_id}"' in case_page
        form = client.get(f"/directives/new?case={case_id}").get_data(as_text=True)
        assert f'name="case" value="{case_id}"' in form
        resp = client.post("/directives/new", data={"csrf": token, "case": str(case_id), "subject": "办件督办",
                                                    "requirement": "说明进展"})
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "办件督办" in page and "办件" in page
        assert client.get("/directives/new?alert=999999").status_code == 404
    staff = app.test_client()
    sign_in(staff, "shouli")
    assert 'href="/directives/new?case=' not in staff.get(f"/work/cases/{case_id}").get_data(as_text=True)
