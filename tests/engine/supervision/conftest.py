"""The demo platform (every rule, the life and 督办 processes installed) and helpers to work its steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from engine.inbox import inbox
from engine.platform import build_runtime
from engine.runtime.cases import complete_task
from engine.runtime.runtime import Runtime
from engine.store import Alert, OpenTask
from engine.supervisor.tick import tick
from tests.engine.runtime.operations.conftest import bj, new_licence, user
from tests.settings import make_settings

__all__ = ["bj", "user"]


@pytest.fixture
def rt(demo_db) -> Runtime:
    return build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))


def red_alert(rt: Runtime, started: datetime, ticked: datetime) -> Alert:
    """A licence registered at ``started`` and left alone: the tick at ``ticked`` raises its red alerts (and starts
    their lives). The first red one."""
    case = new_licence(rt, started)
    with time_machine.travel(ticked, tick=False):
        tick(rt, ticked)
    with rt.reader() as s:
        return s.execute(select(Alert).where(Alert.case_id == case.id, Alert.level == "red")
                         .order_by(Alert.id).limit(1)).scalar_one()


def alert_now(rt: Runtime, alert_id: int) -> Alert:
    with rt.reader() as s:
        return s.get_one(Alert, alert_id)


def task_of(rt: Runtime, case_id: int) -> OpenTask:
    with rt.reader() as s:
        [only] = s.execute(select(OpenTask).where(OpenTask.case_id == case_id)).scalars().all()
        return only


def do(rt: Runtime, case_id: int, username: str, values: dict[str, Any], at: datetime) -> None:
    """Complete the case's one open step as ``username`` at ``at``."""
    with time_machine.travel(at, tick=False):
        complete_task(rt, task_of(rt, case_id).id, values, user(rt, username))


def inbox_names(rt: Runtime, username: str) -> list[str]:
    with rt.reader() as s:
        return [row.step for row in inbox(s, user(rt, username).id)]
