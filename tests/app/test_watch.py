"""Supervision pages: a case-level alert (T3, no step) reads as one about the whole case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import clock
from engine.store import Case
from engine.supervision.patrols import duty_tick
from engine.supervisor.tick import tick
from tests.app.conftest import sign_in


def test_a_case_past_its_promised_limit_is_listed_and_shown_on_its_case_page(app):
    rt = app.extensions["sunshine"]
    with rt.reader() as s:
        case = s.execute(select(Case).where(Case.promised_due_at.is_not(None))
                         .order_by(Case.promised_due_at).limit(1)).scalar_one()
    assert tick(rt, case.promised_due_at + timedelta(seconds=1)).limit_red >= 1
    due = clock.deadline_text(case.promised_due_at)
    boss = app.test_client()
    sign_in(boss, "jiancha")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "<td>T3</td>" in page and f">{case.serial}</a>" in page
    assert f"办件已超过承诺办结时限 {due}（红灯报警）" in page
    assert f"办件已超过承诺办结时限 {due}（红灯报警）" in boss.get(f"/work/cases/{case.id}").get_data(as_text=True)
    boss.get("/lang/en")
    page = boss.get("/watch/").get_data(as_text=True)
    assert f"The case is past its promised time limit {due} (red alert)" in page and "办件已超过" not in page


def test_a_missed_patrol_is_listed_on_the_supervision_page_of_the_region_s_supervisors(app):
    # The demo's city has a patrol duty; two months on with no patrol, rule W1 records the lapse, and 电子监察 lists
    # it for the city's supervisor (the county's sees only its own region's).
    rt = app.extensions["sunshine"]
    assert duty_tick(rt, clock.now() + timedelta(days=60)) >= 1
    city = app.test_client()
    sign_in(city, "jiancha")
    listed = city.get("/watch/").get_data(as_text=True).split('id="lapses"')[1].split("</ul>")[0]
    assert "<li" in listed and "W1" in listed
    county = app.test_client()
    sign_in(county, "xian_jiancha")
    listed = county.get("/watch/").get_data(as_text=True).split('id="lapses"')[1].split("</ul>")[0]
    assert "示范县" in listed and "示范市 ·" not in listed
