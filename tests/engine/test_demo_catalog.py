"""The demo catalog: enough realistic, complete powers to fill the hall, created the real way, safe to rerun."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bpmn import check_bpmn
from engine.catalog import public
from engine.catalog.drafts import latest_version
from engine.catalog.fields import missing_fields
from engine.catalog.posts import posts_for_lanes
from engine.demo_catalog import ENTRIES, INTERNAL, external_flowchart, load_demo_catalog
from engine.runtime.runtime import Runtime
from engine.store import Power, PowerVersion
from tests.settings import make_settings


@pytest.fixture
def rt(db) -> Runtime:
    return Runtime(db.sessions, make_settings(database_url=db.url))


def test_demo_catalog_fills_the_hall(rt):
    assert load_demo_catalog(rt).endswith(f"{len(ENTRIES)} powers published")
    with rt.sessions() as s:
        rows = public.catalog(s)
        assert len(rows) >= 12
        assert len({r.department_code for r in rows}) >= 4
        assert {"SCJGJ", "MZJ"} <= {r.department_code for r in rows}
        assert len({r.category for r in rows}) >= 6
        assert all(r.status == "published" for r in rows)


def test_every_demo_power_is_complete_and_its_flowcharts_check(rt):
    load_demo_catalog(rt)
    with rt.sessions() as s:
        for power in s.execute(select(Power)).scalars():
            version = latest_version(s, power.id)
            assert version is not None and version.status == "published"
            f = version.fields
            complete = missing_fields(power.category, f, has_external_flowchart=bool(version.external_bpmn))
            assert complete == [], power.name
            if power.name in INTERNAL:  # a power with a flowchart of its own kind (the others cannot register)
                internal = check_bpmn(version.internal_bpmn.encode(), "internal.bpmn", form_exists=rt.forms.exists,
                                      posts=posts_for_lanes(s, power.department_id),
                                      promised_limit_days=f.get("promised_limit_days"),
                                      legal_limit_days=f.get("legal_limit_days"))
                assert internal.ok, (power.name, [p.message for p in internal.errors])
                assert power.legal_limit_days >= power.promised_limit_days > 0
            else:
                assert version.internal_bpmn is None and power.process_key is None, power.name
            external = check_bpmn(version.external_bpmn.encode(), "external.bpmn")
            assert external.displayable, (power.name, [p.message for p in external.problems])
            assert f["legal_limit_days"] >= f["promised_limit_days"] > 0
            for b in f["legal_basis"]:
                assert b["law"].startswith("《") and b["article"].startswith("第") and b["url"].startswith("https://")


def test_penalties_publish_kinds_and_a_discretion_standard(rt):
    load_demo_catalog(rt)
    with rt.sessions() as s:
        penalties = s.execute(select(Power).where(Power.category == "penalty")).scalars().all()
        assert penalties
        for power in penalties:
            f = latest_version(s, power.id).fields
            assert f["penalty_kinds"] and all(r["min_amount"] <= r["max_amount"] for r in f["discretion_standard"])


def test_the_secret_power_exists_but_never_shows(rt):
    load_demo_catalog(rt)
    with rt.sessions() as s:
        secret = s.execute(select(Power).where(Power.secret.is_(True))).scalars().all()
        assert len(secret) == 1 and secret[0].status == "published"
        assert secret[0].code not in {r.code for r in public.catalog(s)}
        assert public.power_page(s, secret[0].code) is None
        assert public.catalog(s, query=secret[0].name) == []


def test_loading_twice_adds_nothing(rt):
    load_demo_catalog(rt)
    assert load_demo_catalog(rt).endswith(" 0 powers published")
    with rt.sessions() as s:
        assert s.execute(select(func.count()).select_from(Power)).scalar() == len(ENTRIES)
        assert s.execute(select(func.count()).select_from(PowerVersion)).scalar() == len(ENTRIES)


def test_powers_the_base_demo_created_bare_get_their_first_version(db):
    from engine.demo import load_demo
    from engine.platform import build_runtime

    rt = build_runtime(db.sessions, make_settings(database_url=db.url))
    load_demo(rt)
    with rt.sessions() as s:
        before = dict(s.execute(select(Power.name, Power.code)).all())
    load_demo_catalog(rt)
    with rt.sessions() as s:
        after = dict(s.execute(select(Power.name, Power.code)).all())
        assert {k: after[k] for k in before} == before  # same codes, no duplicates
        assert {e.name for e in ENTRIES} <= set(after) and len(after) == len(set(after.values()))
        food = public.power_page(s, before["食品经营许可"])
        assert food is not None and food.field("materials") is not None


def test_external_flowchart_is_a_drawn_linear_chart():
    xml = external_flowchart("External_x", "测试 & 流程", ("受理", "审查", "决定", "送达"))
    report = check_bpmn(xml, "external.bpmn")
    assert report.displayable and not report.executable
    text = xml.decode()
    assert text.count("<bpmndi:BPMNShape") == 6 and text.count("<bpmndi:BPMNEdge") == 5
    assert "测试 &amp; 流程" in text
