"""Case operations over HTTP: the forms on the step and case pages, refusals at their fields, nothing lost."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine.demo import POWERS
from engine.identity import create_user
from engine.store import Case, Department, OpenTask, Power
from tests.app.conftest import sign_in

HANDLE = {"materials_verified": "true", "onsite_inspection_required": "false", "handle_result": "grant",
          "opinion": "拟准予许可。"}


def _text(resp) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(resp.get_data(as_text=True))


def _step(demo_db, bpmn_id: str) -> OpenTask:
    with demo_db.sessions() as s:
        return s.execute(select(OpenTask).where(OpenTask.bpmn_id == bpmn_id)).scalars().first()


def _colleague(demo_db, username: str, post: str) -> None:
    with demo_db.sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        [held] = [p for p in dept.posts if p.name == post]
        create_user(s, username, f"{post}同事小周", "sunshine", roles=["staff"], posts=[held])


@pytest.fixture
def handling(app, demo_db):
    """The demo's second licence case, waiting at 承办, and a second 承办 colleague."""
    _colleague(demo_db, "chengban2", "承办")
    return _step(demo_db, "handle")


def test_claim_race_over_http_one_wins_the_other_is_told(app, handling):
    page = f"/work/tasks/{handling.id}"
    me, other = app.test_client(), app.test_client()
    my_token, their_token = sign_in(me, "chengban"), sign_in(other, "chengban2")
    assert "签收" in _text(me.get(page)) and "签收" in _text(other.get(page))
    assert me.post(f"{page}/claim", data={"csrf": my_token}).status_code == 302
    resp = other.post(f"{page}/claim", data={"csrf": their_token}, follow_redirects=True)
    body = _text(resp)
    assert "该环节已由李承办签收，您未能签收。" in body
    assert "办理人：李承办" in re.sub(r"<[^>]+>", "", body)
    assert "您不在该环节的岗位上，只能查看。" in body
    assert "办理人：李承办" in re.sub(r"<[^>]+>", "", _text(me.get(page)))


def test_hand_over_needs_a_colleague_and_lands_in_their_inbox(app, handling):
    client, colleague = app.test_client(), app.test_client()
    token = sign_in(client, "chengban")
    page = f"/work/tasks/{handling.id}"
    resp = client.post(f"{page}/hand-over", data={"csrf": token, "to_user": "", "reason": "休假"})
    assert resp.status_code == 302 and "err.to_user" in resp.headers["Location"]
    shown = _text(client.get(resp.headers["Location"]))
    assert "请选择同事。" in shown and ">休假</textarea>" in shown  # the typed reason is kept
    body = _text(client.get(page))
    [option] = re.findall(r'<option value="(\d+)">承办同事小周</option>', body)
    resp = client.post(f"{page}/hand-over", data={"csrf": token, "to_user": option, "reason": "休假"})
    assert resp.headers["Location"] == "/work/"
    sign_in(colleague, "chengban2")
    assert handling.id in colleague.get("/work/").get_data(as_text=True)


def test_a_return_outside_the_arrows_asks_for_its_reason_and_shows_it_on_the_reopened_step(app, demo_db, handling):
    clerk, handler = app.test_client(), app.test_client()
    sign_in(clerk, "shouli")
    token = sign_in(handler, "chengban")
    page = f"/work/tasks/{handling.id}"
    body = _text(handler.get(page))
    assert "受理（流程图外退回，须说明理由）" in body
    resp = handler.post(f"{page}/return", data={"csrf": token, "target": "accept", "reason": ""})
    assert "err.reason=op.reason_required" in resp.headers["Location"]
    marked = _text(handler.get(resp.headers["Location"]))
    assert "请填写理由。" in marked and 'id="op-return" open' in marked
    assert handler.post(f"{page}/return", data={"csrf": token, "target": "accept",
                                                "reason": "营业执照复印件不清晰，请重新受理核对"}).status_code == 302
    with demo_db.sessions() as s:
        reopened = s.execute(select(OpenTask).where(OpenTask.returned_reason.is_not(None))).scalar_one()
    body = _text(clerk.get(f"/work/tasks/{reopened.id}"))
    assert "退回件" in body and "营业执照复印件不清晰，请重新受理核对" in body
    assert "已填入本环节上次办理时的内容" in body
    assert 'value="示范市老街88号"' in body  # the clerk's earlier answer
    assert "申请材料齐全，符合法定形式，予以受理。</textarea>" in body  # and their own opinion


def test_a_draft_comes_back_prefilled(app, handling):
    client = app.test_client()
    token = sign_in(client, "chengban")
    page = f"/work/tasks/{handling.id}"
    resp = client.post(f"{page}/draft", data={"csrf": token, "opinion": "现场核查待定", "handle_result": "refuse"})
    assert resp.status_code == 302
    body = _text(client.get(page))
    assert "已暂存，下次打开本环节时自动填入。" in body and "已填入您暂存的内容。" in body
    assert "现场核查待定</textarea>" in body
    assert re.search(r'value="refuse"\s+checked', body)


def test_pause_and_resume_from_the_case_page(app, demo_db, handling):
    client = app.test_client()
    token = sign_in(client, "chengban")
    page = f"/work/cases/{handling.case_id}"
    resp = client.post(f"{page}/suspend", data={"csrf": token, "ground": "", "reason": "送检"})
    shown = _text(client.get(resp.headers["Location"]))
    assert "请选择暂停的法定事由。" in shown and ">送检</textarea>" in shown
    client.post(f"{page}/suspend", data={"csrf": token, "ground": "testing", "reason": "送检"})
    body = _text(client.get(page))
    assert "办件已暂停" in body and "检验检测" in body and "恢复办理" in body
    refused = client.post(f"/work/tasks/{handling.id}", data={"csrf": token, **HANDLE}, follow_redirects=True)
    assert "办件已暂停，恢复后才能办理。" in _text(refused)
    body = _text(client.post(f"{page}/resume", data={"csrf": token}, follow_redirects=True))
    assert "办件已恢复，各时限顺延 0 个工作日。" in body and "恢复办理" in body


def test_withdraw_terminate_and_comments(app, demo_db, handling):
    client = app.test_client()
    token = sign_in(client, "chengban")
    page = f"/work/cases/{handling.case_id}"
    client.post(f"{page}/comments", data={"csrf": token, "body": "申请人来电询问进度。"})
    resp = client.post(f"{page}/withdraw", data={"csrf": token, "reason": ""})
    assert "请填写理由。" in _text(client.get(resp.headers["Location"]))
    body = _text(client.post(f"{page}/withdraw", data={"csrf": token, "reason": "申请人书面申请撤回"},
                             follow_redirects=True))
    assert "已办结：申请人撤回申请" in body and "申请人来电询问进度。" in body
    assert "办件操作" in body and 'id="op-terminate"' not in body  # nothing more to do on it


def test_merge_penalties_from_the_case_page(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "zhifa")
    new = client.post("/work/penalties/new", data={
        "csrf": token, "power": _code(demo_db, POWERS[1].name), "applicant_name": "示范市惠民超市有限公司",
        "applicant_id_type": "统一社会信用代码", "applicant_id_number": "91519900MA62G7H8JK",
        "applicant_contact": "0837-2887766", "subject": "涉嫌销售标签不合格食品案"})
    assert new.status_code == 302
    with demo_db.sessions() as s:
        first, second = s.execute(select(Case).join(Power).where(Power.category == "penalty")
                                  .order_by(Case.id)).scalars().all()
    body = _text(client.post(f"/work/cases/{first.id}/merge",
                             data={"csrf": token, "serials": second.serial, "reason": "同一当事人，并案处理"},
                             follow_redirects=True))
    assert f"已将 {second.serial} 并入本案。" in body and f">{second.serial}</a>" in body
    merged = _text(client.get(f"/work/cases/{second.id}"))
    assert f"已办结：并入 {first.serial}" in merged and "本案已并入" in merged


def _code(demo_db, name: str) -> str:
    with demo_db.sessions() as s:
        return s.execute(select(Power.code).where(Power.name == name)).scalar_one()


def test_other_departments_cannot_reach_the_operations(app, handling):
    client = app.test_client()
    token = sign_in(client, "mz_shouli")
    assert client.post(f"/work/tasks/{handling.id}/claim", data={"csrf": token}).status_code == 404
    assert client.post(f"/work/cases/{handling.case_id}/terminate",
                       data={"csrf": token, "reason": "x"}).status_code == 404
    assert client.post(f"/work/cases/{handling.case_id}/comments", data={"body": "x"}).status_code == 400
