"""The flowchart editor's pages and JSON endpoints: save, lint, lists, permissions, simulation."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import modeler
from engine.bpmn import check_bpmn
from engine.catalog.drafts import Trigger, open_change
from engine.demo import DEMO_PASSWORD
from engine.forms import FormRegistry
from engine.identity import create_user
from engine.store import CatalogChange, Department, User
from tests.app.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
LICENSE = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()

# What modeler.js writes, shaped like bpmn-js's export: a lane named after a post, a user task with its form,
# the clock/decision flags and a workdays() limit as a non-interrupting timer boundary event, a gateway whose
# flows carry Python conditions (one the default).
PANEL_OUTPUT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_1" \
targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="测试许可（内部流程图）" processRef="Process_1" />
  </bpmn:collaboration>
  <bpmn:process id="Process_1" name="测试许可（内部流程图）" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_1" name="受理">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_0k3v1xq</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_1a2b3c4</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_1rejected</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="收到申请">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_1" name="受理">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="license_food_business_accept.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="license_food_business_accept.uischema.json" />
          <spiffworkflow:property name="clock" value="paused" />
          <spiffworkflow:property name="decision" value="true" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Event_0k3v1xq" name="时限 3个工作日" cancelActivity="false" attachedToRef="Task_1">
      <bpmn:timerEventDefinition id="TimerEventDefinition_0x9y8z7">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">workdays(3)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="Gateway_1a2b3c4" name="受理结论" default="Flow_4">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="EndEvent_1" name="予以受理">
      <bpmn:incoming>Flow_3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="Event_1rejected" name="不予受理">
      <bpmn:incoming>Flow_4</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_1" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Gateway_1a2b3c4" />
    <bpmn:sequenceFlow id="Flow_3" name="予以受理" sourceRef="Gateway_1a2b3c4" targetRef="EndEvent_1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">accept_result == "accept"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_4" name="其他" sourceRef="Gateway_1a2b3c4" targetRef="Event_1rejected" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="700" height="250" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_1_di" bpmnElement="Lane_1" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="670" height="250" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="240" y="142" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_1_di" bpmnElement="Task_1">
        <dc:Bounds x="340" y="120" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1a2b3c4_di" bpmnElement="Gateway_1a2b3c4" isMarkerVisible="true">
        <dc:Bounds x="505" y="135" width="50" height="50" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="632" y="142" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_1rejected_di" bpmnElement="Event_1rejected">
        <dc:Bounds x="632" y="252" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_0k3v1xq_di" bpmnElement="Event_0k3v1xq">
        <dc:Bounds x="398" y="182" width="36" height="36" />
        <bpmndi:BPMNLabel>
          <dc:Bounds x="378" y="225" width="76" height="14" />
        </bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="276" y="160" />
        <di:waypoint x="340" y="160" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="440" y="160" />
        <di:waypoint x="505" y="160" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3">
        <di:waypoint x="555" y="160" />
        <di:waypoint x="632" y="160" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4">
        <di:waypoint x="530" y="185" />
        <di:waypoint x="530" y="270" />
        <di:waypoint x="632" y="270" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

# A user task without a time limit, in a lane that is no post of the department.
NO_LIMIT = PANEL_OUTPUT.replace('name="受理">\n        <bpmn:flowNodeRef>', 'name="窗口">\n        <bpmn:flowNodeRef>')
NO_LIMIT = NO_LIMIT[:NO_LIMIT.index("    <bpmn:boundaryEvent")] + \
    NO_LIMIT[NO_LIMIT.index("    <bpmn:exclusiveGateway"):]
NO_LIMIT = NO_LIMIT.replace("<bpmn:flowNodeRef>Event_0k3v1xq</bpmn:flowNodeRef>", "").replace(
    '<spiffworkflow:property name="clock" value="paused" />', "")
NO_LIMIT = NO_LIMIT[:NO_LIMIT.index('      <bpmndi:BPMNShape id="Event_0k3v1xq_di"')] + \
    NO_LIMIT[NO_LIMIT.index('      <bpmndi:BPMNEdge id="Flow_1_di"'):]


@pytest.fixture
def web(app: Flask) -> Flask:
    """The demo app with the modeler registered (until the lead registers it in create_app)."""
    if "modeler" not in app.blueprints:
        app.register_blueprint(modeler.bp)
    return app


@pytest.fixture
def change_id(web: Flask) -> int:
    """A new 「测试许可」 adjustment of 市场监管局, and its drafter 目录管理员 (mulu) and one of 民政局 (mz_mulu)."""
    rt = web.extensions["sunshine"]
    with rt.sessions.begin() as s:
        scjgj = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        mzj = s.execute(select(Department).where(Department.code == "MZJ")).scalar_one()
        for username, dept in (("mulu", scjgj), ("mz_mulu", mzj)):  # the demo may already have them
            if s.execute(select(User.id).where(User.username == username)).first() is None:
                create_user(s, username, f"目录管理员（{dept.name}）", DEMO_PASSWORD, roles=["drafter"],
                            posts=[dept.posts[0]])
        change = open_change(s, "add", department=scjgj, actor="mulu", reason="新设许可",
                             trigger=Trigger("law", "《测试条例》", None), category="license", name="测试许可")
        change.fields = {**change.fields, "promised_limit_days": 10, "legal_limit_days": 20}
        return change.id


def signed_in(web: Flask, username: str) -> tuple[FlaskClient, dict[str, str]]:
    client = web.test_client()
    token = sign_in(client, username)
    return client, {"X-CSRF-Token": token}


def stored(web: Flask, change_id: int) -> CatalogChange:
    with web.extensions["sunshine"].sessions() as s:
        change = s.get(CatalogChange, change_id)
        s.expunge(change)
        return change


def test_panel_output_passes_the_checks() -> None:
    """Everything the properties panel writes is what check_bpmn expects (DESIGN §4)."""
    forms = FormRegistry(ROOT / "forms")
    report = check_bpmn(PANEL_OUTPUT.encode(), "panel.bpmn", posts={"受理", "承办"}, form_exists=forms.exists,
                        promised_limit_days=10, legal_limit_days=20)
    assert report.executable and report.displayable
    assert report.problems == []


def test_page_and_starter_diagram(web: Flask, change_id: int) -> None:
    client, _ = signed_in(web, "mulu")
    page = client.get(f"/catalog/changes/{change_id}/flowchart/internal")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in html and "js/modeler.js" in html
    assert 'data-editable="1"' in html and 'name="csrf"' in html and "保存" in html and "模拟运行" in html
    xml = client.get(f"/catalog/changes/{change_id}/flowchart/internal/xml")
    assert xml.headers["X-Sunshine-Starter"] == "1"
    text = xml.get_data(as_text=True)
    for lane in ("受理", "承办", "审核", "批准"):
        assert f'name="{lane}"' in text
    assert "workdays(1)" in text
    report = check_bpmn(xml.get_data(), "starter.bpmn", posts={"受理", "承办", "审核", "批准"})
    assert report.executable and not report.errors
    external = client.get(f"/catalog/changes/{change_id}/flowchart/external/xml").get_data(as_text=True)
    assert 'isExecutable="false"' in external
    assert client.get(f"/catalog/changes/{change_id}/flowchart/other").status_code == 404
    assert client.get("/catalog/changes/999999/flowchart/internal").status_code == 404


def test_save_stores_and_locates_problems(web: Flask, change_id: int) -> None:
    client, headers = signed_in(web, "mulu")
    url = f"/catalog/changes/{change_id}/flowchart/internal/xml"
    resp = client.post(url, data=NO_LIMIT.encode(), headers={**headers, "Content-Type": "application/xml"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["saved"] is True
    by_element = {p["element_id"]: p for p in body["problems"]}
    assert "Task_1" in by_element and "Lane_1" in by_element, body["problems"]
    assert by_element["Task_1"]["line"] > 1 and by_element["Task_1"]["severity"] == "error"
    assert by_element["Task_1"]["message"]
    assert stored(web, change_id).internal_bpmn == NO_LIMIT
    assert client.get(url).headers["X-Sunshine-Starter"] == "0"

    good = client.post(url, data=PANEL_OUTPUT.encode(), headers={**headers, "Content-Type": "application/xml"})
    assert good.get_json() == {"saved": True, "problems": []}
    assert "workdays(3)" in stored(web, change_id).internal_bpmn

    broken = client.post(url, data=b"<bpmn:definitions", headers=headers)
    assert broken.get_json()["saved"] is False and broken.get_json()["problems"]
    assert stored(web, change_id).internal_bpmn == PANEL_OUTPUT  # the previous drawing stays


def test_the_size_limit_is_the_one_configured_for_every_flowchart(web: Flask, change_id: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", "1000")
    client, headers = signed_in(web, "mulu")
    url = f"/catalog/changes/{change_id}/flowchart/internal/xml"
    big = PANEL_OUTPUT.encode()
    assert len(big) > 1000
    resp = client.post(url, data=big, headers={**headers, "Content-Type": "application/xml"})
    assert resp.status_code == 413
    assert resp.get_json()["code"] == "xml.too_large" and "上限是 1000 字节" in resp.get_json()["error"]
    assert stored(web, change_id).internal_bpmn is None  # nothing was stored
    lint = client.post("/catalog/lint", json={"xml": PANEL_OUTPUT, "change_id": change_id}, headers=headers)
    assert lint.status_code == 413 and lint.get_json()["code"] == "xml.too_large"
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", str(len(big)))
    assert client.post(url, data=big, headers={**headers, "Content-Type": "application/xml"}).get_json()["saved"]


def test_lint_checks_without_saving(web: Flask, change_id: int) -> None:
    client, headers = signed_in(web, "mulu")
    resp = client.post("/catalog/lint", json={"xml": NO_LIMIT, "change_id": change_id}, headers=headers)
    assert resp.status_code == 200
    assert {"Task_1", "Lane_1"} <= {p["element_id"] for p in resp.get_json()["problems"]}
    assert stored(web, change_id).internal_bpmn is None
    ok = client.post("/catalog/lint", json={"xml": PANEL_OUTPUT, "change_id": change_id, "which": "internal"},
                     headers=headers)
    assert ok.get_json() == {"problems": []}
    external = client.post("/catalog/lint", json={"xml": NO_LIMIT, "change_id": change_id, "which": "external"},
                           headers=headers)
    assert external.get_json() == {"problems": []}  # descriptive charts only need to display
    assert client.post("/catalog/lint", json={"change_id": change_id}, headers=headers).status_code == 400
    assert client.post("/catalog/lint", json={"xml": "x", "change_id": change_id}).status_code == 400  # no CSRF


def test_posts_and_forms(web: Flask, change_id: int) -> None:
    client, _ = signed_in(web, "mulu")
    posts = client.get(f"/catalog/changes/{change_id}/posts").get_json()["posts"]
    assert posts[:4] == ["受理", "承办", "审核", "批准"]
    forms = {f["name"]: f for f in client.get("/catalog/forms").get_json()["forms"]}
    accept = forms["license_food_business_accept.json"]
    assert accept["title"] and accept["ui"] == "license_food_business_accept.uischema.json"
    assert not any(name.endswith(".uischema.json") for name in forms)


def test_permissions(web: Flask, change_id: int) -> None:
    anonymous = web.test_client()
    assert anonymous.get(f"/catalog/changes/{change_id}/flowchart/internal").status_code == 302
    staff, headers = signed_in(web, "shouli")
    assert staff.get(f"/catalog/changes/{change_id}/flowchart/internal").status_code == 403
    assert staff.get("/catalog/forms").status_code == 403
    assert staff.post(f"/catalog/changes/{change_id}/flowchart/internal/xml", data=PANEL_OUTPUT,
                      headers=headers).status_code == 403
    other, headers = signed_in(web, "mz_mulu")  # a drafter of another department
    assert other.get(f"/catalog/changes/{change_id}/flowchart/internal").status_code == 403
    assert other.get(f"/catalog/changes/{change_id}/posts").status_code == 403
    assert other.post("/catalog/lint", json={"xml": PANEL_OUTPUT, "change_id": change_id},
                      headers=headers).status_code == 403
    assert other.post(f"/catalog/changes/{change_id}/simulate", json={}, headers=headers).status_code == 403
    legal, _ = signed_in(web, "fazhiban")
    assert legal.get(f"/catalog/changes/{change_id}/flowchart/internal").status_code == 200


def test_submitted_change_is_read_only(web: Flask, change_id: int) -> None:
    with web.extensions["sunshine"].sessions.begin() as s:
        s.get(CatalogChange, change_id).status = "submitted"
    client, headers = signed_in(web, "mulu")
    html = client.get(f"/catalog/changes/{change_id}/flowchart/internal").get_data(as_text=True)
    assert 'data-editable="0"' in html and "bpmn-navigated-viewer.production.min.js" in html
    assert 'id="btn-save"' not in html
    resp = client.post(f"/catalog/changes/{change_id}/flowchart/internal/xml", data=PANEL_OUTPUT, headers=headers)
    assert resp.status_code == 409 and resp.get_json()["saved"] is False and resp.get_json()["error"]


def test_simulation_endpoints(web: Flask, change_id: int) -> None:
    client, headers = signed_in(web, "mulu")
    base = f"/catalog/changes/{change_id}/simulate"
    empty = client.post(base, json={}, headers=headers)
    assert empty.status_code == 422 and empty.get_json()["error"] == "尚未保存流程图。"

    client.post(f"/catalog/changes/{change_id}/flowchart/internal/xml", data=LICENSE, headers=headers)
    state = client.post(base, json={}, headers=headers).get_json()
    [task] = state["ready"]
    assert task["bpmn_id"] == "accept" and task["lane"] == "受理"
    assert any(f["name"] == "accept_result" for f in task["fields"])
    assert state["timers"][0]["element_id"] == "accept_time_limit" and not state["finished"]

    timed = client.post(f"{base}/timer", json={"state": state["token"]}, headers=headers).get_json()
    assert timed["fired"] == ["时限 1个工作日"] and timed["ready"][0]["bpmn_id"] == "accept"

    state = client.post(f"{base}/step", json={"state": state["token"], "task_id": task["id"],
                                              "data": {"accept_result": "reject"}}, headers=headers).get_json()
    assert state["finished"] and state["end_name"] == "不予受理"
    assert "gw_accept" in state["completed"]

    bad = client.post(f"{base}/step", json={"state": state["token"][:-3] + "abc", "task_id": task["id"]},
                      headers=headers)
    assert bad.status_code == 422 and "模拟状态无效" in bad.get_json()["error"]
    done = client.post(f"{base}/timer", json={"state": state["token"]}, headers=headers)
    assert done.status_code == 422 and done.get_json()["code"] == "finished"
    # A token is bound to its change.
    with web.extensions["sunshine"].sessions.begin() as s:
        scjgj = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        other = open_change(s, "add", department=scjgj, actor="mulu", reason="另一个", category="license",
                            trigger=Trigger("law", "《测试条例》", None), name="另一许可").id
    moved = client.post(f"/catalog/changes/{other}/simulate/timer", json={"state": timed["token"]}, headers=headers)
    assert moved.status_code == 422


def test_simulation_reports_model_errors(web: Flask, change_id: int) -> None:
    client, headers = signed_in(web, "mulu")
    broken = LICENSE.replace(b'accept_result == "accept"', b"accept_result == accepted_value")
    client.post(f"/catalog/changes/{change_id}/flowchart/internal/xml", data=broken, headers=headers)
    state = client.post(f"/catalog/changes/{change_id}/simulate", json={}, headers=headers).get_json()
    resp = client.post(f"/catalog/changes/{change_id}/simulate/step",
                       json={"state": state["token"], "task_id": state["ready"][0]["id"],
                             "data": {"accept_result": "accept"}}, headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["error"].startswith("流程中的条件、脚本或时限表达式执行出错")
