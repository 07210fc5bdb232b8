"""Flowcharts on a catalog change request over HTTP: upload messages match what is stored, and every link works."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bpmn import check_bpmn
from engine.store import AuditEvent, CatalogChange
from tests.app.conftest import new_change, sign_in

ROOT = Path(__file__).resolve().parents[2]
LICENSE_BPMN = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()
TEXT = LICENSE_BPMN.decode("utf-8")
UTF16 = TEXT.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16")
FLASH = re.compile(r'<p class="flash" role="status">([^<]*)</p>')
FLOWCHART_LINK = re.compile(r'href="(/catalog/changes/\d+/flowchart/[^"]+)"')


def _upload(client, token, change_url, which, data, filename="x.bpmn"):
    files = {"file": (io.BytesIO(data), filename)} if data is not None else {}
    return client.post(f"{change_url}/upload/{which}", content_type="multipart/form-data",
                       data={"csrf": token, **files}, follow_redirects=True)


def _stored(app, change_url: str, which: str = "internal") -> str | None:
    with app.extensions["sunshine"].sessions() as s:
        change = s.get(CatalogChange, int(change_url.rsplit("/", 1)[1]))
        return change.internal_bpmn if which == "internal" else change.external_bpmn


def _attach_events(app) -> int:
    with app.extensions["sunshine"].sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action.like("catalog.attach.%")))


def _flashes(resp) -> list[str]:
    return [html.unescape(m) for m in FLASH.findall(resp.get_data(as_text=True))]


def test_a_utf16_flowchart_is_stored_readable_and_audited(app):
    drafter, token, change_url = new_change(app)
    before = _attach_events(app)
    resp = _upload(drafter, token, change_url, "external", UTF16)
    assert resp.status_code == 200 and _flashes(resp) == ["流程图已上传并通过检查。"]
    stored = _stored(app, change_url, "external")
    assert stored is not None and 'encoding="UTF-8"' in stored and "UTF-16" not in stored
    assert check_bpmn(stored.encode("utf-8"), "external.bpmn").displayable  # how the modeler and hall read it
    assert _attach_events(app) == before + 1
    # The modeler serves the stored text as UTF-8 XML that parses.
    xml = drafter.get(f"{change_url}/flowchart/external/xml")
    assert xml.status_code == 200 and check_bpmn(xml.get_data(), "served.bpmn").displayable


def test_the_modeler_reports_a_utf16_save_as_saved(app):
    drafter, token, change_url = new_change(app)
    resp = drafter.post(f"{change_url}/flowchart/internal/xml", data=UTF16,
                        headers={"X-CSRF-Token": token, "Content-Type": "application/xml"})
    assert resp.status_code == 200 and resp.get_json()["saved"] is True
    assert _stored(app, change_url) is not None
    broken = drafter.post(f"{change_url}/flowchart/internal/xml", data=b"<!DOCTYPE x>",
                          headers={"X-CSRF-Token": token, "Content-Type": "application/xml"})
    assert broken.get_json()["saved"] is False and broken.get_json()["problems"]


@pytest.mark.parametrize(("data", "filename", "reason"), [
    (None, None, "未选择文件。"),
    (b"", "", "未选择文件。"),
    (b"", "empty.bpmn", "文件是空的"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "x.png", "不是文本文件"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "e">]>\n' + LICENSE_BPMN.split(b"?>", 1)[1], "x.bpmn",
     "DOCTYPE"),
    (b"name,code\n1,2\n", "x.csv", "这不是 XML 文件"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "x.svg", "不是 BPMN 流程图"),
], ids=["no-file-part", "no-file-chosen", "empty", "binary", "doctype", "csv", "svg"])
def test_a_refused_file_says_it_was_not_uploaded_and_why(app, data, filename, reason):
    drafter, token, change_url = new_change(app)
    before = _attach_events(app)
    files = {} if data is None else {"file": (io.BytesIO(data), filename)}
    resp = drafter.post(f"{change_url}/upload/internal", content_type="multipart/form-data",
                        data={"csrf": token, **files})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422  # still the request's page, with the reason under the flowchart
    [flash] = _flashes(resp)
    assert flash.startswith("流程图未上传") and reason in flash and "已上传" not in flash.replace("未上传", "")
    assert "公开信息" in page and "上传并检查" in page
    assert _stored(app, change_url) is None and _attach_events(app) == before


def test_a_refused_file_keeps_the_previous_flowchart_and_says_so(app):
    drafter, token, change_url = new_change(app)
    assert _flashes(_upload(drafter, token, change_url, "external", LICENSE_BPMN)) == ["流程图已上传并通过检查。"]
    resp = _upload(drafter, token, change_url, "external", b"<!DOCTYPE x>\n<x/>")
    [flash] = _flashes(resp)
    assert resp.status_code == 422 and "未上传" in flash and "原有流程图保持不变" in flash and "DOCTYPE" in flash
    assert _stored(app, change_url, "external") == TEXT


def test_a_stored_flowchart_with_problems_says_it_was_stored(app):
    drafter, token, change_url = new_change(app)
    resp = _upload(drafter, token, change_url, "internal", LICENSE_BPMN.replace(b">workdays(3)<", b">P3X<"))
    assert resp.status_code == 422 and _flashes(resp) == ["流程图已上传，但有以下问题需要处理。"]
    assert _stored(app, change_url) is not None


def test_refusal_in_english(app):
    drafter, token, change_url = new_change(app)
    drafter.get("/lang/en")
    resp = _upload(drafter, token, change_url, "internal", b"")
    [flash] = _flashes(resp)
    assert resp.status_code == 422 and flash.startswith("The flowchart was NOT uploaded") and "empty" in flash


@pytest.mark.parametrize("username", ["shouli", "jiancha", "mz_mulu", "shending", "mulu", "fazhiban", "admin"])
def test_every_flowchart_link_on_a_change_page_opens(app, username):
    drafter, token, change_url = new_change(app)
    _upload(drafter, token, change_url, "internal", LICENSE_BPMN)  # the external one stays empty
    client = app.test_client()
    sign_in(client, username)
    page = client.get(change_url)
    assert page.status_code == 200
    links = FLOWCHART_LINK.findall(page.get_data(as_text=True))
    assert any("/flowchart/internal" in link for link in links)  # the stored flowchart can be seen by everyone
    for link in links:
        assert client.get(link).status_code == 200, (username, link)


def test_staff_view_a_flowchart_read_only(app):
    drafter, token, change_url = new_change(app)
    _upload(drafter, token, change_url, "internal", LICENSE_BPMN)
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    page = clerk.get(change_url).get_data(as_text=True)
    assert "在线绘制" not in page and f'{change_url}/flowchart/internal/view"' in page
    assert "/flowchart/external" not in page  # nothing stored, nothing to view
    view = clerk.get(f"{change_url}/flowchart/internal/view").get_data(as_text=True)
    assert "bpmn-navigated-viewer" in view and "bpmn-modeler" not in view and "上传" not in view
    xml = clerk.get(f"{change_url}/flowchart/internal/view.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and xml.get_data(as_text=True) == TEXT
    assert clerk.get(f"{change_url}/flowchart/external/view.bpmn").status_code == 404
    assert clerk.get(f"{change_url}/flowchart/other/view").status_code == 404
    assert clerk.get("/catalog/changes/999999/flowchart/internal/view").status_code == 404
    assert clerk.post(f"{change_url}/flowchart/internal/xml", data=LICENSE_BPMN).status_code in (400, 403)
    anonymous = app.test_client()
    assert anonymous.get(f"{change_url}/flowchart/internal/view.bpmn").status_code == 302
