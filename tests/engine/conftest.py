"""Fixtures that build a realistic department and a deployed power through the engine's public API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.calendar_seed import seed_from_chinesecalendar
from engine.config import Settings
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.cases import Applicant
from engine.runtime.deploy import deploy
from engine.runtime.runtime import Runtime
from engine.store import Department, OpenTask, Power, User

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
    return Runtime(db.sessions, Settings(database_url=db.url, forms_dir=HERE / "forms"))


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


@pytest.fixture
def power(rt: Runtime, org: Org) -> Power:
    """「测试许可」 deployed from tests/engine/runtime/fixtures/permit.bpmn."""
    with rt.sessions.begin() as s:
        deploy(s, (HERE / "fixtures" / "permit.bpmn").read_bytes(), "permit.bpmn", author="legal", forms=rt.forms,
               posts={"受理", "审核"})
        p = Power(code="510000-CSJ-XK-001", name="测试许可", category="license", department_id=org.department.id,
                  process_key="test_permit", legal_limit_days=20, promised_limit_days=5)
        s.add(p)
        return p


APPLICANT = Applicant("成都示例餐饮有限公司", "统一社会信用代码", "91510100MA6C00000M", "028-12345678")
#: 10:00 on Monday 23 November 2026, Beijing time: the moment most case tests start at.
MONDAY_10_BJ = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def open_steps(rt: Runtime, case_id: int) -> list[OpenTask]:
    """The case's open steps as the inboxes see them."""
    with rt.reader() as s:
        return list(s.execute(select(OpenTask).where(OpenTask.case_id == case_id)).scalars())
