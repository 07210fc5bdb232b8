"""Chinese full-text search: bigram index, name-first ranking, and no secret or non-published power ever."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from engine.catalog.drafts import Trigger, attach_flowchart, open_change, update_fields
from engine.catalog.publish import publish
from engine.catalog.search import grams_of, query_grams, search
from engine.config import ROOT
from engine.demo_catalog import external_flowchart
from engine.identity import ensure_department, ensure_region
from engine.runtime.runtime import Runtime
from engine.store import Power, PowerSearchTerm
from tests.settings import make_settings

POSTS = ["受理", "审核"]
BASE = {
    "implementing_body": "示范市测试局",
    "legal_basis": [{"law": "《中华人民共和国行政许可法》", "article": "第十二条", "text": "下列事项可以设定行政许可。",
                     "url": "https://flk.npc.gov.cn/"}],
    "supervision_phone": "12345", "rights_channels": "可依法申请行政复议或者提起行政诉讼。",
    "legal_limit_days": 20, "promised_limit_days": 10,
}
TRIGGER = Trigger("other", "测试", None)


@dataclass
class Catalog:
    rt: Runtime

    def publish(self, name: str, *, secret: bool = False, dept: tuple[str, str] = ("CSJ", "示范市测试局"),
                **fields: object) -> int:
        """Publish an inspection power (few required fields) through the real drafting path."""
        with self.rt.sessions.begin() as s:
            department = ensure_department(s, ensure_region(s, "519900", "示范市"), *dept, POSTS)
            change = open_change(s, "add", department=department, actor="t", reason="测试", trigger=TRIGGER,
                                 category="inspection", name=name, secret=secret)
            assert update_fields(s, change, {**BASE, **fields}, actor="t") == {}
            internal = (ROOT / "processes" / "confirmation_simple.bpmn").read_bytes()
            attach_flowchart(s, change, "internal", internal, actor="t", forms=self.rt.forms)
            attach_flowchart(s, change, "external", external_flowchart("Ext_t", name, ("受理", "决定")), actor="t",
                             forms=self.rt.forms)
            publish(s, change, actor="t", forms=self.rt.forms)
            return change.power_id

    def adjust(self, power_id: int, kind: str) -> None:
        with self.rt.sessions.begin() as s:
            power = s.get(Power, power_id)
            change = open_change(s, kind, department=power.department, actor="t", reason="调整", trigger=TRIGGER,
                                 power=power)
            publish(s, change, actor="t", forms=self.rt.forms)

    def search(self, query: str, limit: int = 50) -> list[int]:
        with self.rt.sessions() as s:
            return search(s, query, limit)


@pytest.fixture
def cat(db) -> Catalog:
    return Catalog(Runtime(db.sessions, make_settings(database_url=db.url)))


def test_grams_are_bigrams_within_runs_and_single_characters():
    assert query_grams("食品经营许可") == {"食品", "品经", "经营", "营许", "许可"}
    # Punctuation and spaces end a run: no bigram spans them.
    assert query_grams("食品，许可") == {"食品", "许可"}
    assert query_grams("罚") == {"罚"}
    assert query_grams("  ，。 ") == set()
    assert {"食", "品", "食品"} <= grams_of("食品")
    assert query_grams("ＡＢＣ") == query_grams("abc")  # full-width folds to half-width, case folds


def test_finds_food_business_licence_by_its_words(cat):
    food = cat.publish("食品经营许可")
    other = cat.publish("公共场所卫生监督检查")
    assert cat.search("食品") == [food]
    assert cat.search("经营许可") == [food]
    assert cat.search("食品经营许可证") == [food]
    assert cat.search("卫生") == [other]
    assert cat.search("罚款罚没") == []
    assert cat.search("") == [] and cat.search(" ，") == []


def test_one_character_queries_use_the_single_character_index(cat):
    food = cat.publish("食品经营许可")
    cat.publish("公共场所卫生监督检查")
    assert cat.search("营") == [food]


def test_name_matches_rank_above_body_matches(cat):
    body = cat.publish("餐饮服务监督检查", conditions="已取得食品经营许可证的餐饮服务提供者。")
    name = cat.publish("食品经营许可")
    assert cat.search("食品经营许可") == [name, body]
    assert cat.search("经营许可")[0] == name


def test_limit_is_honoured(cat):
    for n in ("一", "二", "三"):
        cat.publish(f"食品安全监督检查（第{n}类）")
    assert len(cat.search("食品安全", limit=2)) == 2


def test_secret_powers_are_never_indexed(cat, db):
    secret = cat.publish("涉密测绘成果监督检查", secret=True)
    with db.sessions() as s:
        assert s.execute(select(PowerSearchTerm).where(PowerSearchTerm.power_id == secret)).first() is None
    assert cat.search("涉密测绘") == []


def test_suspended_powers_leave_the_index_until_resumed_and_cancelled_ones_for_good(cat):
    power = cat.publish("食品经营许可")
    cat.adjust(power, "suspend")
    assert cat.search("食品") == []
    cat.adjust(power, "resume")
    assert cat.search("食品") == [power]
    cat.adjust(power, "cancel")
    assert cat.search("食品") == []


def test_a_stale_index_row_cannot_leak_a_secret_power(cat, db):
    power = cat.publish("食品经营许可")
    with db.sessions.begin() as s:
        s.get(Power, power).secret = True  # e.g. reclassified by hand, index not yet rebuilt
    assert cat.search("食品") == []
