"""The public hall over HTTP: catalog with filters and search, power pages, flowcharts; secret powers nowhere."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.catalog.drafts import Trigger, open_change
from engine.catalog.publish import publish
from engine.demo_catalog import load_demo_catalog
from engine.store import Department, Power

ROW = re.compile(r'<tr class="power-row">.*?href="/powers/([^"]+)">([^<]+)</a>', re.S)


@pytest.fixture
def hall(app):
    load_demo_catalog(app.extensions["sunshine"])
    return app


def _rows(client, path: str) -> list[tuple[str, str]]:
    resp = client.get(path)
    assert resp.status_code == 200
    return ROW.findall(resp.get_data(as_text=True))


def _power(app, name: str) -> Power:
    with app.extensions["sunshine"].sessions() as s:
        return s.execute(select(Power).where(Power.name == name)).scalar_one()


def test_index_lists_the_catalog_with_filters_and_a_search_box(hall):
    client = hall.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "全文检索" in html and 'name="q"' in html
    assert "示范市市场监督管理局" in html and "示范市民政局" in html and "行政处罚" in html
    rows = _rows(client, "/")
    assert len(rows) >= 12
    assert "食品经营许可" in [name for _, name in rows]
    assert "519900-SCJGJ-XK-0001" in html and "个工作日" in html


def test_filters_by_department_and_category(hall):
    client = hall.test_client()
    with hall.extensions["sunshine"].sessions() as s:
        mzj = s.execute(select(Department).where(Department.code == "MZJ")).scalar_one()
    names = [n for _, n in _rows(client, f"/?department={mzj.id}")]
    assert names and "高龄津贴资格确认" in names and "食品经营许可" not in names
    penalties = [code for code, _ in _rows(client, "/?category=penalty")]
    assert penalties and all("-CF-" in code for code in penalties)
    assert len(_rows(client, "/?department=&category=")) >= 12  # empty filters are no filters


def test_search_finds_powers_by_their_words(hall):
    client = hall.test_client()
    rows = _rows(client, "/?q=食品经营")
    assert rows[0][1] == "食品经营许可"
    html = client.get("/?q=没有这个事项的关键词").get_data(as_text=True)
    assert "没有找到相关事项" in html


def test_power_page_shows_every_public_field_and_both_flowcharts(hall):
    client = hall.test_client()
    food = _power(hall, "食品经营许可")
    html = client.get(f"/powers/{food.code}").get_data(as_text=True)
    for label in ("法律依据", "受理条件", "申请材料", "是否收费及标准", "法定时限（工作日）", "承诺时限（工作日）",
                  "办理地点", "监督电话", "服务指南", "服务表格", "常见问题解答", "相对人维权渠道"):
        assert label in html, label
    assert "《中华人民共和国食品安全法》" in html and 'href="https://flk.npc.gov.cn/"' in html
    assert "不收费" in html and "食品经营许可申请书" in html
    assert html.count('class="bpmn-view"') == 2
    assert f'data-src="/powers/{food.code}/flowchart/external.bpmn"' in html
    assert f'data-src="/powers/{food.code}/flowchart/internal.bpmn"' in html


def test_penalty_page_shows_kinds_and_discretion_table(hall):
    client = hall.test_client()
    penalty = _power(hall, "对超标排放水污染物的行政处罚")
    html = client.get(f"/powers/{penalty.code}").get_data(as_text=True)
    assert "处罚种类" in html and "自由裁量基准" in html and "罚款幅度" in html and "1,000,000" in html


def test_flowcharts_are_served_as_xml(hall):
    client = hall.test_client()
    food = _power(hall, "食品经营许可")
    resp = client.get(f"/powers/{food.code}/flowchart/external.bpmn")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    assert b"bpmndi:BPMNDiagram" in resp.data
    assert client.get(f"/powers/{food.code}/flowchart/internal.bpmn").status_code == 200
    assert client.get(f"/powers/{food.code}/flowchart/other.bpmn").status_code == 404
    assert client.get("/powers/519900-NOPE-XK-0009").status_code == 404


def test_secret_power_is_absent_everywhere(hall):
    client = hall.test_client()
    secret = _power(hall, "涉密测绘成果使用情况监督检查")
    assert secret.secret
    for path in (f"/powers/{secret.code}", f"/powers/{secret.code}/flowchart/external.bpmn",
                 f"/powers/{secret.code}/flowchart/internal.bpmn"):
        resp = client.get(path)
        assert resp.status_code == 404 and "Traceback" not in resp.get_data(as_text=True)
    for path in ("/", "/?category=inspection", "/?q=涉密测绘", "/?q=测绘成果"):
        html = client.get(path).get_data(as_text=True)
        assert secret.code not in html and secret.name not in html
        assert "?q=" not in path or "共 0 项" in html


def test_suspended_power_shows_a_notice_and_leaves_search(hall):
    rt = hall.extensions["sunshine"]
    with rt.sessions.begin() as s:
        power = s.execute(select(Power).where(Power.name == "特种设备使用登记")).scalar_one()
        change = open_change(s, "suspend", department=power.department, actor="fazhiban", reason="暂停",
                             trigger=Trigger("other", "", None), power=power)
        publish(s, change, actor="fazhiban", forms=rt.forms)
        code = power.code
    client = hall.test_client()
    html = client.get(f"/powers/{code}").get_data(as_text=True)
    assert "暂停行使" in html and "法律依据" in html
    assert code not in [c for c, _ in _rows(client, "/?q=特种设备")]
