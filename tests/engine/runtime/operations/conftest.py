"""Cases of the demo's powers worked through the engine, at moments the tests choose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from engine.demo import POWERS
from engine.identity import create_user
from engine.platform import build_runtime
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import AuditEvent, Case, Department, OpenTask, Power, User, WaitingTimer
from tests.settings import make_settings

LICENCE, PENALTY = POWERS[0].name, POWERS[1].name
SHOP = Applicant("示范市老街坊小吃店", "统一社会信用代码", "92519900MA62D4E5F6", "13908371234")

ACCEPT = {"applicant_name": SHOP.name, "applicant_id_type": "uscc", "applicant_id_number": SHOP.id_number,
          "applicant_contact": SHOP.contact, "legal_representative": "陈某", "business_address": "示范市老街88号",
          "entity_type": "catering", "business_scope": "冷食类食品制售", "business_area": "46",
          "material_application": "true", "material_subject_certificate": "true", "material_layout": "true",
          "material_safety_rules": "true", "accept_result": "accept", "opinion": "材料齐全，予以受理。"}
HANDLE = {"materials_verified": "true", "onsite_inspection_required": "false", "handle_result": "grant",
          "opinion": "拟准予许可。"}


def bj(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of 2026 in Beijing time, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def rt(demo_db) -> Runtime:
    return build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))


def user(rt: Runtime, username: str) -> User:
    with rt.reader() as s:
        return s.execute(select(User).where(User.username == username)).scalar_one()


def colleague(rt: Runtime, username: str, post: str, department: str = "SCJGJ") -> User:
    """A second holder of ``post`` (the demo has one person per post)."""
    with rt.sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == department)).scalar_one()
        [held] = [p for p in dept.posts if p.name == post]
        create_user(s, username, f"{post}同事", "pw-colleague-1", roles=["staff"], posts=[held])
    return user(rt, username)


def power_code(rt: Runtime, name: str) -> str:
    with rt.reader() as s:
        return s.execute(select(Power.code).where(Power.name == name)).scalar_one()


def new_licence(rt: Runtime, at: datetime) -> Case:
    with time_machine.travel(at, tick=False):
        return start_case(rt, power_code(rt, LICENCE), SHOP, "申请食品经营许可", actor="shouli")


def steps(rt: Runtime, case_id: int) -> list[OpenTask]:
    with rt.reader() as s:
        return list(s.execute(select(OpenTask).where(OpenTask.case_id == case_id)
                              .order_by(OpenTask.created_at)).scalars())


def step(rt: Runtime, case_id: int) -> OpenTask:
    [only] = steps(rt, case_id)
    return only


def timers(rt: Runtime, case_id: int) -> list[WaitingTimer]:
    with rt.reader() as s:
        return list(s.execute(select(WaitingTimer).where(WaitingTimer.case_id == case_id)).scalars())


def work(rt: Runtime, case_id: int, username: str, values: dict[str, Any], at: datetime) -> None:
    """Complete the case's one open step as ``username`` at ``at`` (受理 applied for that day)."""
    if values is ACCEPT:
        values = {**ACCEPT, "application_date": (at + timedelta(hours=8)).date().isoformat()}
    with time_machine.travel(at, tick=False):
        complete_task(rt, step(rt, case_id).id, {**values}, user(rt, username))


def case_row(rt: Runtime, case_id: int) -> Case:
    with rt.reader() as s:
        return s.get_one(Case, case_id)


def events(rt: Runtime, case_id: int, prefix: str = "") -> list[AuditEvent]:
    with rt.reader() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                       AuditEvent.action.like(f"{prefix}%"))
                              .order_by(AuditEvent.id)).scalars())
