"""Read-only values never show Python: yes/no in words, structured values as labelled parts, empty parts left out."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.filters import catalog_value, readable
from engine.forms import Form
from engine.runtime.stepforms import labelled
from engine.store import CatalogChange, Power
from tests.app.conftest import sign_in


def test_values_read_as_words(app):
    with app.test_request_context("/"):
        assert readable(True) == "是" and readable(False) == "否"
        assert readable(None) == "" and readable("") == "" and readable([]) == ""
        assert readable(12.0) == "12" and readable(3) == "3"
        assert readable({"charged": False, "standard": "", "basis": ""}, {"charged": "是否收费"}) == "是否收费：否"
        assert readable(["甲", "", "乙"]) == "甲、乙"
        fee = {"charged": True, "standard": "每件 10 元", "basis": ""}
        assert catalog_value(fee) == "是否收费：是；收费标准：每件 10 元"
        assert catalog_value({"name": "申请书", "copies": 2, "required": True, "note": ""}) == \
            "名称：申请书；份数：2；是否必需：是"


def test_a_published_request_shows_fees_and_materials_in_words(app, demo_db):
    with demo_db.sessions() as s:
        change_id = s.execute(select(CatalogChange.id).join(Power, Power.id == CatalogChange.power_id)
                              .where(Power.name == "特种设备使用登记")).scalar_one()
    client = app.test_client()
    sign_in(client, "mulu")
    page = client.get(f"/catalog/changes/{change_id}").get_data(as_text=True)
    facts = re.search(r'<h2>公开信息</h2>\s*<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    assert "是否收费：否" in facts
    assert "名称：特种设备使用登记表；份数：2；是否必需：是" in facts
    for python in ("True", "False", "charged", "standard：；", "{'", "None"):
        assert python not in facts, python
    client.get("/lang/en")
    facts = re.search(r'<dl class="facts">(.*?)</dl>', client.get(f"/catalog/changes/{change_id}")
                      .get_data(as_text=True).split("Public information")[-1], re.S).group(1)
    assert "Fee charged：No" in facts and "True" not in facts


def test_a_finished_steps_values_keep_their_kind_for_the_page_to_word_them(app):
    # A yes/no or a structured value stored under a text field (an older form, a script's result) is not
    # flattened to Python's text: the history words it.
    form = Form("f", "测试", {"type": "object", "properties": {
        "onsite": {"type": "string", "title": "现场核查"}, "fee": {"type": "string", "title": "收费"},
        "note": {"type": "string", "title": "备注"}}}, {})
    result = labelled(form, {"onsite": True, "fee": {"charged": False, "standard": ""}, "note": ""})
    shown = {f.name: f.value for f in result.shown}
    assert shown == {"onsite": True, "fee": {"charged": False, "standard": ""}}
    with app.test_request_context("/"):
        assert readable(shown["onsite"]) == "是"
        assert catalog_value(shown["fee"]) == "是否收费：否"
