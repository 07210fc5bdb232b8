"""What the public hall may see: lists, filters, counts, a power's page and flowcharts — never a secret power."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.catalog import public
from engine.catalog.drafts import Trigger, open_change
from engine.runtime.runtime import Runtime
from engine.store import Department, Power
from tests.engine.catalog.test_search import Catalog
from tests.settings import make_settings

CSJ = ("CSJ", "示范市测试局")
WSJ = ("WSJ", "示范市卫生测试局")


@pytest.fixture
def cat(db) -> Catalog:
    return Catalog(Runtime(db.sessions, make_settings(database_url=db.url)))


@pytest.fixture
def three(cat: Catalog) -> dict[str, int]:
    return {"food": cat.publish("食品经营监督检查", dept=CSJ),
            "hygiene": cat.publish("公共场所卫生监督检查", dept=WSJ),
            "secret": cat.publish("涉密测绘成果监督检查", dept=CSJ, secret=True)}


def _names(rows: list[public.PublicPowerRow]) -> list[str]:
    return [r.name for r in rows]


def test_catalog_lists_public_powers_and_filters(db, cat, three):
    with db.sessions() as s:
        csj = s.execute(select(Department).where(Department.code == "CSJ")).scalar_one()
        assert _names(public.catalog(s)) == ["食品经营监督检查", "公共场所卫生监督检查"]
        assert _names(public.catalog(s, department_id=csj.id)) == ["食品经营监督检查"]
        assert _names(public.catalog(s, category="inspection")) == ["食品经营监督检查", "公共场所卫生监督检查"]
        assert public.catalog(s, category="license") == []
        assert _names(public.catalog(s, query="卫生")) == ["公共场所卫生监督检查"]
        assert public.catalog(s, query="涉密") == []
        row = public.catalog(s, query="食品")[0]
        assert (row.category_name, row.department_name, row.legal_limit_days) == ("行政检查", "示范市测试局", 20)


def test_counts_leave_out_secret_powers(db, cat, three):
    with db.sessions() as s:
        depts = {d.code: d.count for d in public.departments_with_counts(s)}
        assert depts == {"CSJ": 1, "WSJ": 1}
        assert [(c.key, c.name, c.count) for c in public.categories_with_counts(s)] == [("inspection", "行政检查", 2)]


def test_power_page_shows_labelled_public_fields(db, cat, three):
    with db.sessions() as s:
        code = public.catalog(s, query="食品")[0].code
        page = public.power_page(s, code)
    assert page is not None and page.name == "食品经营监督检查" and not page.suspended
    assert page.category_name == "行政检查" and page.department_name == "示范市测试局"
    labels = {f.key: f.label for f in page.fields}
    assert labels["legal_basis"] == "法律依据" and labels["supervision_phone"] == "监督电话"
    assert page.field("category").value == "行政检查"
    assert page.has_internal and page.has_external
    with db.sessions() as s:
        assert public.power_page(s, code, "en").field("legal_basis").label == "Legal basis"


def test_secret_draft_cancelled_and_unknown_powers_have_no_page(db, cat, three):
    with db.sessions() as s:
        secret = s.get(Power, three["secret"])
        assert public.power_page(s, secret.code) is None
        assert public.flowchart(s, secret.code, "external") is None
        assert public.power_page(s, "519900-NOPE-XK-0001") is None
    with db.sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == "CSJ")).scalar_one()
        draft = open_change(s, "add", department=dept, actor="t", reason="新增", trigger=Trigger("other", "", None),
                            category="inspection", name="尚在起草的检查")
        draft_code = draft.fields["code"]
    food = three["food"]
    cat.adjust(food, "cancel")
    with db.sessions() as s:
        assert public.power_page(s, draft_code) is None
        assert public.power_page(s, s.get(Power, food).code) is None
        assert _names(public.catalog(s)) == ["公共场所卫生监督检查"]


def test_suspended_power_keeps_its_page_with_a_notice_but_leaves_search(db, cat, three):
    cat.adjust(three["hygiene"], "suspend")
    with db.sessions() as s:
        row = next(r for r in public.catalog(s) if r.id == three["hygiene"])
        assert row.status == "suspended"
        page = public.power_page(s, row.code)
        assert page is not None and page.suspended and page.field("legal_basis") is not None
        assert public.catalog(s, query="卫生") == []


def test_flowcharts_are_served_only_for_public_powers(db, cat, three):
    with db.sessions() as s:
        code = public.catalog(s, query="食品")[0].code
        assert "bpmndi:BPMNDiagram" in public.flowchart(s, code, "external")
        assert 'isExecutable="true"' in public.flowchart(s, code, "internal")
        assert public.flowchart(s, code, "secret") is None


def test_unsafe_link_targets_never_reach_the_page(db, cat):
    basis = [{"law": "《某条例》", "article": "第一条", "text": "……", "url": "javascript:alert(1)"}]
    cat.publish("链接测试检查", legal_basis=basis)
    with db.sessions() as s:
        page = public.power_page(s, public.catalog(s)[0].code)
    assert page.field("legal_basis").value[0]["url"] == ""
