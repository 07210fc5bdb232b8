"""Fixtures that build a realistic department and a deployed power through the engine's public API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.calendar_seed import seed_from_chinesecalendar
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.cases import Applicant
from engine.runtime.deploy import deploy
from engine.runtime.runtime import Runtime
from engine.store import Department, OpenTask, Power, User
from tests.settings import make_settings

HERE = Path(__file__).parent / "runtime"


@dataclass
class Org:
    department: Department
    clerk: User
    reviewer: User
    outsider: User


@pytest.fixture
def rt(db) -> Runtime:
    """A runtime over a fresh database with the 2025–2026 official calendar loaded."""
    with db.sessions.begin() as s:
        seed_from_chinesecalendar(s, years=[2025, 2026])
    return Runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms"))


@pytest.fixture
def org(rt: Runtime) -> Org:
    with rt.sessions.begin() as s:
        region = ensure_region(s, "510000", "测试市")
        dept = ensure_department(s, region, "CSJ", "测试局", ["受理", "审核"])
        accept, review = dept.posts
        clerk = create_user(s, "clerk", "窗口受理员", "pw-clerk", roles=["staff"], posts=[accept])
        reviewer = create_user(s, "reviewer", "审核员", "pw-reviewer", roles=["staff"], posts=[review])
        outsider = create_user(s, "outsider", "外部门人员", "pw-out", roles=["staff"])
        return Org(dept, clerk, reviewer, outsider)


def deploy_power(rt: Runtime, org: Org, xml: bytes, *, filename: str = "permit.bpmn", process_key: str = "test_permit",
                 code: str = "510000-CSJ-XK-001", name: str = "测试许可") -> Power:
    """Deploy ``xml`` for the test department and publish a licence power on it (promised 5, legal 20 working days)."""
    with rt.sessions.begin() as s:
        deploy(s, xml, filename, author="legal", forms=rt.forms, posts={"受理", "审核"})
        p = Power(code=code, name=name, category="license", department_id=org.department.id, process_key=process_key,
                  legal_limit_days=20, promised_limit_days=5)
        s.add(p)
        return p


@pytest.fixture
def power(rt: Runtime, org: Org) -> Power:
    """「测试许可」 deployed from tests/engine/runtime/fixtures/permit.bpmn."""
    return deploy_power(rt, org, (HERE / "fixtures" / "permit.bpmn").read_bytes())


@pytest.fixture
def paused_power(rt: Runtime, org: Org) -> Power:
    """受理 → 接收补正材料 (clock=paused, 15 working days, then withdrawn) → 审核; promised 5, legal 20 working days."""
    return deploy_power(rt, org, (HERE / "fixtures" / "paused.bpmn").read_bytes(), filename="paused.bpmn",
                        process_key="test_paused", code="510000-CSJ-XK-002", name="补正停表")


APPLICANT = Applicant("成都示例餐饮有限公司", "统一社会信用代码", "91510100MA6C00000M", "028-12345678")
#: 10:00 on Monday 23 November 2026, Beijing time: the moment most case tests start at.
MONDAY_10_BJ = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def open_steps(rt: Runtime, case_id: int) -> list[OpenTask]:
    """The case's open steps as the inboxes see them."""
    with rt.reader() as s:
        return list(s.execute(select(OpenTask).where(OpenTask.case_id == case_id)).scalars())
