"""A department, the review chain's people, and a complete licence draft, built through the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.calendar_seed import seed_from_chinesecalendar
from engine.catalog import review
from engine.catalog.drafts import Trigger, attach_flowchart, update_fields
from engine.catalog.review import request_change
from engine.identity import create_user, ensure_department, ensure_region
from engine.platform import build_runtime
from engine.runtime.runtime import Runtime
from engine.store import CatalogChange, Department, Post, User
from tests.settings import make_settings

ROOT = Path(__file__).resolve().parents[3]
LICENSE_BPMN = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()

LICENSE_FIELDS = {
    "implementing_body": "示范市市场监督管理局",
    "legal_basis": [{"law": "《中华人民共和国食品安全法》", "article": "第三十五条",
                     "text": "国家对食品生产经营实行许可制度。", "url": "https://flk.npc.gov.cn/"}],
    "conditions": "有与经营的食品品种、数量相适应的经营场所……",
    "materials": [{"name": "食品经营许可申请书", "copies": 1, "required": True, "note": ""}],
    "fees": {"charged": False, "standard": "", "basis": ""},
    "legal_limit_days": 20, "promised_limit_days": 10,
    "place": "示范市政务服务中心二楼市场监管窗口", "phone": "0837-2881000", "supervision_phone": "0837-12345",
    "online_url": "https://zwfw.example.gov.cn/spjy", "service_guide": "申请人可通过窗口或网上提交申请。",
    "forms": [{"name": "食品经营许可申请书", "url": "https://zwfw.example.gov.cn/forms/spjy.docx"}],
    "faq": [{"q": "需要现场核查吗？", "a": "新办许可需要现场核查。"}],
    "rights_channels": "对许可决定不服的，可依法申请行政复议或提起行政诉讼。",
}


@dataclass
class Chain:
    rt: Runtime
    department: Department
    drafter: User
    legal: User
    government: User
    clerk: User


@pytest.fixture
def chain(db) -> Chain:
    rt = build_runtime(db.sessions, make_settings(database_url=db.url))
    with db.sessions.begin() as s:
        seed_from_chinesecalendar(s, years=[2025, 2026])
        region = ensure_region(s, "519900", "示范市")
        dept = ensure_department(s, region, "SCJGJ", "示范市市场监督管理局",
                                 ["受理", "承办", "审核", "批准", review.CATALOG_POST])
        review.install(s, rt, region, legal=("FZB", "示范市司法局"), government=("ZFB", "示范市人民政府办公室"))
        posts = {p.name: p for p in s.query(Post).all()}
        drafter = create_user(s, "mulu", "目录管理员", "pw", roles=["drafter"], posts=[posts[review.CATALOG_POST]])
        legal = create_user(s, "fazhi", "法制办审核员", "pw", roles=["legal"], posts=[posts[review.LEGAL_POST]])
        gov = create_user(s, "shending", "政府审定", "pw", roles=["staff"], posts=[posts[review.GOVERNMENT_POST]])
        clerk = create_user(s, "shouli", "受理员", "pw", roles=["staff"],
                            posts=[p for p in dept.posts if p.name == "受理"])
        return Chain(rt, dept, drafter, legal, gov, clerk)


def draft_licence(chain: Chain, trigger: Trigger, *, name: str, reason: str, secret: bool = False) -> CatalogChange:
    """A complete request to add a licence power (every field, both flowcharts), drafted by mulu, not submitted."""
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason=reason,
                            trigger=trigger, category="license", name=name, secret=secret)
    with chain.rt.sessions.begin() as s:
        draft = s.get(CatalogChange, change.id)
        assert draft is not None
        assert update_fields(s, draft, LICENSE_FIELDS, actor="mulu") == {}
        assert attach_flowchart(s, draft, "internal", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms) == []
        attach_flowchart(s, draft, "external", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms)
    return change
