"""A month of cases built through the engine, with time moved by time-machine: what the figures, reports and
scores of November and December 2026 are computed from.

Test modules import the fixtures ``rt`` (``fresh_rt``: a fresh database with the 2025–2026 calendar, as
tests/engine/conftest.py makes it; this directory's conftest gives the demo platform instead) and ``month``
(``month_of_cases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine

from engine.calendar_seed import seed_from_chinesecalendar
from engine.identity import ensure_department, ensure_region
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Case
from engine.supervisor.tick import tick
from tests.engine.conftest import APPLICANT, HERE, Org, open_steps
from tests.settings import make_settings


def bj(day: int, hour: int, month: int = 11) -> datetime:
    """``hour`` o'clock (8 or later) Beijing time on ``day`` ``month`` 2026, in UTC."""
    return datetime(2026, month, day, hour - 8, tzinfo=UTC)


def start(rt: Runtime, power, at: datetime) -> Case:
    with time_machine.travel(at, tick=False):
        return start_case(rt, power.code, APPLICANT, "申请", actor="clerk")


def finish(rt: Runtime, org: Org, case: Case, at: datetime) -> None:
    """受理 then 审核 (通过), both at ``at``."""
    with time_machine.travel(at, tick=False):
        [accept] = open_steps(rt, case.id)
        complete_task(rt, accept.id, {"opinion": "受理"}, org.clerk)
        [review] = open_steps(rt, case.id)
        complete_task(rt, review.id, {"result": "pass", "opinion": "符合条件", "amount": "0"}, org.reviewer)


def tick_at(rt: Runtime, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        tick(rt)


@pytest.fixture(name="rt")
def fresh_rt(db) -> Runtime:
    """A runtime over a fresh database with the 2025–2026 official calendar loaded (not the demo platform)."""
    with db.sessions.begin() as s:
        seed_from_chinesecalendar(s, years=[2025, 2026])
    return Runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms"))


@dataclass
class Month:
    """测试局's cases: A done in an hour on 23 November; B received 23 November, yellow on the 24th, red on the
    26th, completed late on 2 December (7 working days); C received 24 November, red on the 26th, still running.
    其他局 has no cases."""

    department_id: int
    other_id: int
    a: Case
    b: Case
    c: Case


@pytest.fixture(name="month")
def month_of_cases(rt: Runtime, org: Org, power) -> Month:
    with rt.sessions.begin() as s:
        other = ensure_department(s, ensure_region(s, "510000", "测试市"), "QTJ", "其他局", ["受理"])
        other_id = other.id
    a = start(rt, power, bj(23, 10))
    b = start(rt, power, bj(23, 10))
    finish(rt, org, a, bj(23, 11))
    c = start(rt, power, bj(24, 10))
    tick_at(rt, bj(24, 12))   # B's 受理 is past its yellow moment (Tue 05:00): one yellow
    tick_at(rt, bj(26, 10))   # B's and C's 受理 are past their deadlines: two reds (B's yellow closes)
    finish(rt, org, b, bj(2, 10, month=12))  # past its promised limit (30 Nov 24:00): T3 red as it ends
    return Month(org.department.id, other_id, a, b, c)
