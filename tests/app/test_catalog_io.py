"""The legal office's catalog export/import page: downloads, the upload form, the report, the role check."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from app import catalog_io
from tests.app.conftest import sign_in
from tests.engine.catalog.test_export_import import build_catalog, runtime_for


@pytest.fixture
def io_app(app, demo_db):
    # Until the lead registers the blueprint in create_app, the tests do it themselves.
    if "catalog_io" not in app.blueprints:
        app.register_blueprint(catalog_io.bp)
    app.extensions["test.codes"] = build_catalog(runtime_for(demo_db))
    return app


def test_page_offers_downloads_and_an_upload_form_with_a_progress_indicator(io_app):
    client = io_app.test_client()
    sign_in(client, "fazhiban")
    page = client.get("/catalog/io/").get_data(as_text=True)
    assert "/catalog/io/export.json" in page and "/catalog/io/export.xlsx" in page
    assert 'enctype="multipart/form-data"' in page and 'name="csrf"' in page
    assert "导入中…" in page and "js/catalog_import.js" in page  # the script that shows it (no inline script)

    resp = client.get("/catalog/io/export.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    codes = io_app.extensions["test.codes"]
    exported = {p["code"] for p in resp.get_json()["powers"]}
    assert {codes["license"], codes["penalty"], codes["confirmation"]} <= exported
    assert codes["secret"] not in exported

    resp = client.get("/catalog/io/export.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(resp.data)).sheetnames[0] == "职权目录"
    assert client.get("/catalog/io/export.csv").status_code == 404


def test_upload_shows_accepted_rows_and_every_rejected_row_with_reasons(io_app):
    client = io_app.test_client()
    token = sign_in(client, "fazhiban")
    codes = io_app.extensions["test.codes"]
    doc = client.get("/catalog/io/export.json").get_json()
    good = next(p for p in doc["powers"] if p["code"] == codes["confirmation"])
    rows = [{**good, "code": None, "name": "网页新增确认"},
            {**good, "code": None, "name": "缺电话", "phone": None},
            {**good, "code": None, "name": "坏流程图", "internal_bpmn": "not xml at all"}]
    data = json.dumps({"powers": rows}, ensure_ascii=False).encode()
    resp = client.post("/catalog/io/import", data={"csrf": token, "file": (io.BytesIO(data), "目录.json"),
                                                   "route": "migration", "approval_document": "示府函〔2026〕12号",
                                                   "approved_by": "王市长"},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page
    assert "导入 1 行，拒绝 2 行。" in page
    assert "网页新增确认" in page and "519900-TMZ-QR-0003" in page and "新增" in page
    assert "缺少：联系电话" in page and "内部流程图：" in page

    resp = client.post("/catalog/io/import", data={"csrf": token, "file": (io.BytesIO(b"\x00garbage"), "x.bin")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "无法识别的文件" in resp.get_data(as_text=True)
    resp = client.post("/catalog/io/import", data={"csrf": token}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要导入的" in resp.get_data(as_text=True)


def test_only_the_legal_office_and_administrators_may_use_it(io_app):
    client = io_app.test_client()
    assert client.get("/catalog/io/").status_code == 302  # to the sign-in page
    sign_in(client, "shouli")
    assert client.get("/catalog/io/").status_code == 403
    assert client.get("/catalog/io/export.json").status_code == 403
    admin = io_app.test_client()
    sign_in(admin, "admin")
    assert admin.get("/catalog/io/").status_code == 200
