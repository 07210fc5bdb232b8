"""Supervision by level through the web: a county supervisor sees only the county's cases and alerts, and each view of
a case by a supervisor is logged in the case's audit stream."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine import clock
from engine.store import Alert, AuditEvent, Case, Department
from engine.supervisor.tick import tick
from tests.app.conftest import sign_in


def _cases(demo_db, code: str) -> list[Case]:
    with demo_db.sessions() as s:
        return list(s.execute(select(Case).join(Department, Department.id == Case.department_id)
                              .where(Department.code == code).order_by(Case.id)).scalars())


@pytest.fixture
def later(app):
    """Forty days after the demo was loaded, every demo case late, and the tick has raised their alerts."""
    moment = clock.now() + timedelta(days=40)
    with time_machine.travel(moment, tick=False):
        tick(app.extensions["sunshine"], moment)
        yield moment


def test_a_county_supervisor_lists_only_the_county_s_cases(app, demo_db):
    [county] = _cases(demo_db, "XMZJ")
    city = _cases(demo_db, "SCJGJ") + _cases(demo_db, "MZJ")
    client = app.test_client()
    sign_in(client, "xian_jiancha")
    page = client.get("/work/cases").get_data(as_text=True)
    # (whole serials: the city's MZJ-… is a part of the county's XMZJ-…)
    assert f">{county.serial}<" in page
    assert city and not any(f">{c.serial}<" in page for c in city)
    assert client.get(f"/work/cases/{county.id}").status_code == 200
    assert client.get(f"/work/cases/{city[0].id}").status_code == 404
    assert client.get(f"/work/cases/{city[0].id}/flowchart.bpmn").status_code == 404
    # The city's supervisor watches the county too.
    boss = app.test_client()
    sign_in(boss, "jiancha")
    listed = boss.get("/work/cases").get_data(as_text=True)
    assert f">{county.serial}<" in listed and all(f">{c.serial}<" in listed for c in city)


def test_a_county_supervisor_s_electronic_supervision_lists_only_county_alerts(app, demo_db, later):
    with demo_db.sessions() as s:
        alerts = list(s.execute(select(Alert.id, Department.code).join(Department, Department.id == Alert.department_id)
                                .where(Alert.status == "open")).all())
    county = {a for a, code in alerts if code == "XMZJ"}
    others = {a for a, code in alerts if code != "XMZJ"}
    assert county and others
    client = app.test_client()
    sign_in(client, "xian_jiancha")
    page = client.get("/watch/").get_data(as_text=True)
    assert all(f'data-alert="{a}"' in page for a in county)
    assert not any(f'data-alert="{a}"' in page for a in others)
    office = app.test_client()
    sign_in(office, "scjg_jiancha")  # the market regulator's own supervision office
    mine = {a for a, code in alerts if code == "SCJGJ"}
    page = office.get("/watch/").get_data(as_text=True)
    assert mine and all(f'data-alert="{a}"' in page for a in mine)
    assert not any(f'data-alert="{a}"' in page for a in county)


def _viewed(demo_db, case_id: int) -> list[tuple[str, str]]:
    with demo_db.sessions() as s:
        return [(e.actor, e.payload["what"]) for e in s.execute(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == "case.viewed")
            .order_by(AuditEvent.id)).scalars()]


def test_a_supervisor_opening_a_case_is_logged_and_a_clerk_is_not(app, demo_db):
    [county] = _cases(demo_db, "XMZJ")
    clerk = app.test_client()
    sign_in(clerk, "xian_shouli")
    assert clerk.get(f"/work/cases/{county.id}").status_code == 200
    assert _viewed(demo_db, county.id) == []
    supervisor = app.test_client()
    sign_in(supervisor, "xian_jiancha")
    supervisor.get(f"/work/cases/{county.id}")
    page = supervisor.get(f"/work/cases/{county.id}").get_data(as_text=True)
    assert _viewed(demo_db, county.id) == [("xian_jiancha", "case"), ("xian_jiancha", "case")]
    assert "查阅办件" in page  # the case's own audit list shows who looked
    # A refused view (another county's case) is not a view of personal data: nothing is logged.
    [city] = _cases(demo_db, "MZJ")[:1]
    assert supervisor.get(f"/work/cases/{city.id}").status_code == 404
    assert _viewed(demo_db, city.id) == []
