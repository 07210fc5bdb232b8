"""The import page says which route an import takes: adjustment requests under review (the default), or a
migration published on a named approval, which the power's versions then show."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from engine.store import CatalogChange, Power
from tests.app.conftest import sign_in


def _upload(client, token: str, rows: list[dict], **form: str):  # type: ignore[no-untyped-def]
    data = json.dumps({"powers": rows}, ensure_ascii=False).encode()
    return client.post("/catalog/io/import", data={"csrf": token, "file": (io.BytesIO(data), "目录.json"), **form},
                       content_type="multipart/form-data")


def _confirmation(client) -> dict:  # type: ignore[no-untyped-def]
    doc = client.get("/catalog/io/export.json").get_json()
    return next(p for p in doc["powers"] if p["name"] == "高龄津贴资格确认")


def test_an_upload_opens_requests_under_review_by_default_and_says_so(app):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    page = client.get("/catalog/io/").get_data(as_text=True)
    assert 'name="route" value="review" checked' in page and "迁移导入（不经审核流程，直接公布）" in page
    row = _confirmation(client) | {"code": None, "name": "导入的新确认事项"}
    page = _upload(client, token, [row]).get_data(as_text=True)
    assert "本次作为调整申请导入" in page and "已建调整申请 #" in page
    change_id = int(re.search(r'href="/catalog/changes/(\d+)">已建调整申请', page)[1])
    with app.extensions["sunshine"].reader() as s:
        change = s.get(CatalogChange, change_id)
        assert change.status == "draft" and change.review_case_id
        assert s.get(Power, change.power_id).status == "draft"  # not published, not in the hall
    assert "导入的新确认事项" not in client.get("/").get_data(as_text=True)
    # The department's catalog clerk finds it in their inbox, to check and submit.
    clerk = app.test_client()
    sign_in(clerk, "mz_mulu")
    assert "导入的新确认事项" in clerk.get("/work/").get_data(as_text=True)


def test_a_migration_needs_its_approval_and_then_publishes_showing_it_on_the_power(app):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    row = _confirmation(client) | {"code": None, "name": "迁移来的确认事项"}
    resp = _upload(client, token, [row], route="migration", approval_document="", approved_by="王市长")
    assert resp.status_code == 400 and "迁移导入须填写批准文件文号。" in resp.get_data(as_text=True)
    assert 'value="王市长"' in resp.get_data(as_text=True)  # what was typed stays
    resp = _upload(client, token, [row], route="migration", approval_document="示府函〔2026〕12号",
                   approved_by="王市长")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "本次为迁移导入：未经审核流程直接公布，依据批准文件 示府函〔2026〕12号，批准人 王市长。" in page
    with app.extensions["sunshine"].reader() as s:
        power = s.execute(select(Power).where(Power.name == "迁移来的确认事项")).scalar_one()
    assert power.status == "published" and "迁移来的确认事项" in client.get("/").get_data(as_text=True)
    versions = client.get(f"/catalog/powers/{power.id}").get_data(as_text=True)
    assert "迁移导入（未经审核流程）：批准文件 示府函〔2026〕12号，批准人 王市长" in versions
