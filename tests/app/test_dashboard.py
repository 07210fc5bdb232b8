"""The dashboard page: the scope's numbers, each a link to the cases behind it; the trend data; patrols."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine import clock
from engine.store import Alert, Case, Department, OpenTask
from engine.store.oversight import Patrol
from engine.supervisor.tick import tick
from tests.app.conftest import sign_in


@pytest.fixture
def later(app):
    """Forty days after the demo was loaded: every demo case is late and the tick has raised its alerts."""
    moment = clock.now() + timedelta(days=40)
    with time_machine.travel(moment, tick=False):
        tick(app.extensions["sunshine"], moment)
        yield moment


def _figure(page: str, name: str) -> tuple[str, str]:
    """(link, number) of a dashboard figure."""
    card = re.search(rf'data-figure="{name}".*?<a href="([^"]+)">([^<]+)</a>', page, re.S)
    assert card is not None, name
    return card[1].replace("&amp;", "&"), card[2].strip()


def _open_red(demo_db, *codes: str) -> int:
    with demo_db.sessions() as s:
        query = (select(Alert.id).join(Department, Department.id == Alert.department_id)
                 .where(Alert.status == "open", Alert.level == "red"))
        if codes:
            query = query.where(Department.code.in_(codes))
        return len(s.execute(query).all())


def test_the_dashboard_counts_the_scope_s_red_alerts_and_drills_down_to_a_late_case(app, demo_db, later):
    client = app.test_client()
    sign_in(client, "jiancha")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "监察仪表盘" in page and "示范市" in page
    link, number = _figure(page, "red")
    assert int(number) == _open_red(demo_db) > 0
    listed = client.get(link).get_data(as_text=True)
    rows = re.findall(r'<tr data-case="(\d+)">', listed)
    assert len(rows) == int(number)
    # A step's red alert opens the case on its diagram with the late step marked.
    with demo_db.sessions() as s:
        late_step = s.execute(select(OpenTask).where(OpenTask.case_id.in_([int(r) for r in rows]),
                                                     OpenTask.alert_level == 2).limit(1)).scalar_one()
    case_page = client.get(f"/work/cases/{late_step.case_id}").get_data(as_text=True)
    late = re.search(r'data-late="([^"]*)"', case_page)
    assert late is not None and late_step.bpmn_id in late[1].split()


def test_each_department_s_number_lists_that_department_s_cases_only(app, demo_db, later):
    client = app.test_client()
    sign_in(client, "jiancha")
    page = client.get("/dashboard/").get_data(as_text=True)
    with demo_db.sessions() as s:
        county = s.execute(select(Department).where(Department.code == "XMZJ")).scalar_one()
        # (an alert's own life is a case of the department too: only the cases with open red alerts are listed)
        county_cases = set(s.execute(select(Alert.case_id).where(Alert.department_id == county.id,
                                                                 Alert.status == "open", Alert.level == "red"))
                           .scalars())
    table = re.search(r'data-by="department".*?</table>', page, re.S)[0]
    link = re.search(rf'href="(/dashboard/cases\?what=red&amp;department={county.id})">(\d+)<', table)
    assert link is not None and int(link[2]) == _open_red(demo_db, "XMZJ")
    listed = client.get(link[1].replace("&amp;", "&")).get_data(as_text=True)
    assert county_cases and {int(c) for c in re.findall(r'<tr data-case="(\d+)">', listed)} == county_cases


def test_a_county_supervisor_s_dashboard_holds_the_county_alone(app, demo_db, later):
    client = app.test_client()
    sign_in(client, "xian_jiancha")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "示范县" in page
    assert int(_figure(page, "red")[1]) == _open_red(demo_db, "XMZJ")
    assert "示范市市场监督管理局" not in page
    with demo_db.sessions() as s:
        city = s.execute(select(Department.id).where(Department.code == "SCJGJ")).scalar_one()
    assert client.get(f"/dashboard/cases?what=red&department={city}").status_code == 404


def test_the_trend_data_holds_twelve_weeks_and_twelve_months(app, demo_db):
    client = app.test_client()
    sign_in(client, "jiancha")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page and "<script>" not in page
    data = client.get("/dashboard/trends.json").get_json()
    assert len(data["week"]) == 12 and len(data["month"]) == 12
    with demo_db.sessions() as s:
        cases = len(s.execute(select(Case.id).where(Case.power.has())).all())
    assert data["month"][-1]["received"] >= 5 and data["month"][-1]["received"] <= cases


def test_staff_do_not_see_the_dashboard(app):
    client = app.test_client()
    sign_in(client, "shouli")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/trends.json").status_code == 403


def test_an_unknown_drill_down_is_not_found(app):
    client = app.test_client()
    sign_in(client, "jiancha")
    assert client.get("/dashboard/cases?what=everything").status_code == 404


def test_a_supervisor_records_a_patrol_and_a_bad_one_is_refused_with_a_message(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "xian_jiancha")
    with demo_db.sessions() as s:
        county = s.execute(select(Department).where(Department.code == "XMZJ")).scalar_one()
        [case] = s.execute(select(Case).where(Case.department_id == county.id)).scalars().all()
    refused = client.post("/dashboard/patrols", data={"csrf": token, "departments": [str(county.id)],
                                                      "findings": "  "})
    assert refused.status_code == 400 and "请填写巡查发现" in refused.get_data(as_text=True)
    unknown = client.post("/dashboard/patrols", data={"csrf": token, "cases": "XMZJ-19990101-0001",
                                                      "findings": "抽查"})
    assert unknown.status_code == 400 and "未找到办件：XMZJ-19990101-0001" in unknown.get_data(as_text=True)
    resp = client.post("/dashboard/patrols", data={"csrf": token, "departments": [str(county.id)],
                                                   "cases": case.serial, "findings": "抽查高龄津贴办件，运行正常。"})
    assert resp.status_code == 302
    page = client.get("/dashboard/patrols").get_data(as_text=True)
    assert "抽查高龄津贴办件，运行正常。" in page and f'href="/work/cases/{case.id}"' in page
    with demo_db.sessions() as s:
        patrol = s.execute(select(Patrol).where(Patrol.supervisor == "xian_jiancha")).scalar_one()
    assert patrol.looked_at == {"departments": [county.id], "powers": [], "cases": [case.id]}
    # The city's patrol (the demo's first) is outside the county's list.
    assert "抽查市场监管局、民政局办件运行情况" not in page


def test_a_supervisor_sets_a_region_s_patrol_duty(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "jiancha")
    page = client.get("/dashboard/patrols").get_data(as_text=True)
    county = re.search(r'<option value="(\d+)">示范县</option>', page)[1]
    assert client.post("/dashboard/patrols/duty", data={"csrf": token, "region": county,
                                                        "every_workdays": "3"}).status_code == 302
    page = client.get("/dashboard/patrols").get_data(as_text=True)
    assert "每 3 个工作日至少一次" in page
    bad = client.post("/dashboard/patrols/duty", data={"csrf": token, "region": county, "every_workdays": "99"},
                      follow_redirects=True)
    assert "巡查周期应为 1 至 60 个工作日" in bad.get_data(as_text=True)


def test_an_administrator_places_a_supervisor_and_their_view_follows(app, demo_db):
    with demo_db.sessions() as s:
        civil = s.execute(select(Department).where(Department.code == "MZJ")).scalar_one()
        civil_cases = set(s.execute(select(Case.serial).where(Case.department_id == civil.id)).scalars())
    admin = app.test_client()
    token = sign_in(admin, "admin")
    page = admin.get("/dashboard/scopes").get_data(as_text=True)
    row = re.search(r'<tr data-user="xian_jiancha">.*?</tr>', page, re.S)[0]
    assert "示范县（含下级地区）" in row
    user_id = re.search(r'name="user" value="(\d+)"', row)[1]
    assert admin.post("/dashboard/scopes", data={"csrf": token, "user": user_id,
                                                 "where": f"department:{civil.id}"}).status_code == 302
    supervisor = app.test_client()
    sign_in(supervisor, "xian_jiancha")
    listed = supervisor.get("/work/cases").get_data(as_text=True)
    assert civil_cases and all(f">{serial}<" in listed for serial in civil_cases)
    assert ">XMZJ-" not in listed
    # Back to the whole platform.
    admin.post("/dashboard/scopes", data={"csrf": token, "user": user_id, "where": "all"})
    assert "全平台" in re.search(r'<tr data-user="xian_jiancha">.*?</tr>',
                                admin.get("/dashboard/scopes").get_data(as_text=True), re.S)[0]
    assert ">XMZJ-" in supervisor.get("/work/cases").get_data(as_text=True)
    # Only an administrator places supervisors.
    assert supervisor.get("/dashboard/scopes").status_code == 403


def test_the_patrol_list_narrows_to_one_region(app, demo_db):
    client = app.test_client()
    token = sign_in(client, "xian_jiancha")
    with demo_db.sessions() as s:
        county = s.execute(select(Department).where(Department.code == "XMZJ")).scalar_one()
    client.post("/dashboard/patrols", data={"csrf": token, "departments": [str(county.id)], "findings": "县级巡查"})
    boss = app.test_client()
    sign_in(boss, "jiancha")
    everything = boss.get("/dashboard/patrols").get_data(as_text=True)
    assert "县级巡查" in everything and "抽查市场监管局、民政局办件运行情况" in everything
    county_only = boss.get(f"/dashboard/patrols?region={county.region_id}").get_data(as_text=True)
    assert "县级巡查" in county_only and "抽查市场监管局、民政局办件运行情况" not in county_only


def test_the_dashboard_speaks_english_on_request(app):
    client = app.test_client()
    sign_in(client, "jiancha")
    client.get("/lang/en")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Supervision dashboard" in page and "On-time rate this month" in page and "监察仪表盘" not in page
