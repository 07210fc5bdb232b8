"""Checking a flowchart on the web (issue 12 §2.3, §4): a huge upload gets one clear message, a long list of problems
is cut with a count on the catalog page and in the modeler's JSON, and another tool's model is explained plainly."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from engine.store import Power
from tests.app.conftest import new_change, sign_in
from tests.engine.bpmn.big_models import many_tasks

FIXTURES = Path(__file__).resolve().parents[1] / "engine" / "bpmn" / "fixtures"
ITEM = re.compile(r'<li class="(error|warning)">')
MORE = re.compile(r'<li class="more">([^<]*)</li>')


def _upload(client, token, change_url, data):  # type: ignore[no-untyped-def]
    return client.post(f"{change_url}/upload/internal", content_type="multipart/form-data",
                       data={"csrf": token, "file": (io.BytesIO(data), "big.bpmn")}, follow_redirects=True)


def test_a_huge_upload_is_one_clear_message(app) -> None:  # type: ignore[no-untyped-def]
    drafter, token, change_url = new_change(app)
    resp = _upload(drafter, token, change_url, many_tasks(200_000))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert len(ITEM.findall(page)) == 1
    assert "流程图有 200,003 个步骤和连线，超过平台上限 3,000 个" in page
    assert page.count("<li") < 100  # not 600,000 list items


def test_a_long_problem_list_is_cut_with_a_count(app) -> None:  # type: ignore[no-untyped-def]
    drafter, token, change_url = new_change(app)
    resp = _upload(drafter, token, change_url, many_tasks(300))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    section = page[page.index("内部流程图（可执行）"):page.index("外部流程图（办理流程图）")]
    assert len(ITEM.findall(section)) == 100
    assert MORE.findall(section) == ["……还有 1101 个问题未列出（共 1201 个）。"]
    # What still stops submission lists the flowchart's errors too: cut the same way.
    missing = page[page.index("提交前还需完成"):page.index("</section>", page.index("提交前还需完成"))]
    assert missing.count("<li>") == 100 and "项未列出" in missing
    # Errors come first: the list does not open with the warning about the missing drawing.
    assert ITEM.findall(section)[0] == "error"


def test_the_modeler_lists_the_first_problems_and_says_how_many_more(app) -> None:  # type: ignore[no-untyped-def]
    drafter, token, change_url = new_change(app)
    change_id = int(change_url.rsplit("/", 1)[1])
    resp = drafter.post("/catalog/lint", json={"xml": many_tasks(300).decode(), "change_id": change_id},
                        headers={"X-CSRF-Token": token})
    body = resp.get_json()
    assert resp.status_code == 200 and body["total"] == 1201 and body["omitted"] == 1101
    problems = body["problems"]
    assert len(problems) == 101 and problems[-1]["code"] == "problems.more"
    assert problems[-1]["message"] == "……还有 1101 个问题未列出（共 1201 个）。"
    assert all(p["line"] for p in problems[:-1])


def test_the_modeler_explains_a_camunda_model(app) -> None:  # type: ignore[no-untyped-def]
    drafter, token, change_url = new_change(app)
    change_id = int(change_url.rsplit("/", 1)[1])
    xml = (FIXTURES / "other_tools" / "camunda7_permit.bpmn").read_text(encoding="utf-8")
    resp = drafter.post(f"{change_url}/flowchart/internal/xml", data=xml.encode(),
                        headers={"X-CSRF-Token": token, "Content-Type": "application/xml"})
    body = resp.get_json()
    assert resp.status_code == 200 and body["saved"] is True
    codes = {(p["code"], p["element_id"]) for p in body["problems"]}
    assert {("foreign.java", "Task_check"), ("foreign.dmn", "Task_fee"), ("foreign.condition", "Flow_yes"),
            ("foreign.external_task", "Task_notify")} <= codes
    for problem in body["problems"]:
        assert problem["line"] or problem["element_id"]
        assert "0x" not in problem["message"] and "Error" not in problem["message"]
    lint = drafter.post("/catalog/lint", json={"xml": xml, "change_id": change_id},
                        headers={"X-CSRF-Token": token}).get_json()
    assert {(p["code"], p["element_id"]) for p in lint["problems"]} == codes


def test_a_huge_draft_of_a_published_power_is_not_compared_element_by_element(app) -> None:  # type: ignore[no-untyped-def]
    drafter = app.test_client()
    token = sign_in(drafter, "mulu")
    with app.extensions["sunshine"].sessions() as s:
        power_id = s.execute(select(Power.id).where(Power.name == "食品经营许可")).scalar_one()
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "modify", "power": power_id, "reason": "流程调整", "trigger_kind": "other"})
    change_url = resp.headers["Location"]
    drafter.get(change_url)
    page = _upload(drafter, token, change_url, many_tasks(200_000)).get_data(as_text=True)
    assert "与现行版本" in page and "内部流程图超过平台上限，不比较差异。" in page
    assert page.count("<li") < 100
    # An ordinary draft is still compared with the published version.
    small = many_tasks(3)
    page = _upload(drafter, token, change_url, small).get_data(as_text=True)
    assert "不比较差异" not in page and '<li class="added"><b>新增</b>' in page
