"""台账 (/ledger/): every alert with its life, filtered, a page at a time, exported to Excel; an alert's page starts
its life by hand and shows each move."""

from __future__ import annotations

import io

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from engine.platform import build_runtime
from engine.store import Alert, AuditEvent
from engine.supervision.ledger import LedgerFilter, ledger_page
from engine.supervisor.tick import tick
from tests.app.conftest import sign_in
from tests.engine.runtime.operations.conftest import bj, new_licence
from tests.settings import make_settings


def _alerts(demo_db):
    """A licence left alone past its limits (its red alerts and their lives), and one just yellow."""
    rt = build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))
    late = new_licence(rt, bj(11, 2, 10))
    with time_machine.travel(bj(12, 1, 10), tick=False):
        tick(rt, bj(12, 1, 10))
    fresh = new_licence(rt, bj(12, 1, 10))
    with time_machine.travel(bj(12, 2, 12), tick=False):
        tick(rt, bj(12, 2, 12))
    with rt.reader() as s:
        reds = s.execute(select(Alert).where(Alert.case_id == late.id, Alert.level == "red")
                         .order_by(Alert.id)).scalars().all()
        yellow = s.execute(select(Alert).where(Alert.case_id == fresh.id)).scalar_one()
    return rt, reds, yellow


def test_the_ledger_lists_alerts_with_their_stage_and_filters_them(app, demo_db):
    rt, reds, yellow = _alerts(demo_db)
    client = app.test_client()
    with time_machine.travel(bj(12, 3, 10), tick=False):
        sign_in(client, "jiancha")
        page = client.get("/ledger/").get_data(as_text=True)
        assert "预警处置台账" in page
        for red in reds:
            assert f'data-alert="{red.id}" data-stage="explaining"' in page
        assert f'data-alert="{yellow.id}" data-stage=""' in page
        assert "待说明" in page and "未进入处置" in page
        explaining = client.get("/ledger/?state=explaining").get_data(as_text=True)
        assert f'data-alert="{yellow.id}"' not in explaining and f'data-alert="{reds[0].id}"' in explaining
        yellows = client.get("/ledger/?level=yellow&state=unhandled").get_data(as_text=True)
        assert f'data-alert="{yellow.id}"' in yellows and f'data-alert="{reds[0].id}"' not in yellows
        by_rule = client.get(f"/ledger/?rule={reds[0].rule}").get_data(as_text=True)
        assert f'data-alert="{reds[0].id}"' in by_rule and f'data-alert="{yellow.id}"' not in by_rule
        other = client.get(f"/ledger/?department={reds[0].department_id + 1000}").get_data(as_text=True)
        assert "没有符合条件的预警。" in other
        dated = client.get("/ledger/?from=2026-12-02&to=2026-12-02").get_data(as_text=True)
        assert f'data-alert="{yellow.id}"' in dated and f'data-alert="{reds[0].id}"' not in dated
        assert client.get("/ledger/?from=nonsense&state=bogus").status_code == 200  # ignored, not an error
    staff = app.test_client()
    sign_in(staff, "pizhun")
    assert staff.get("/ledger/").status_code == 403


def test_the_ledger_pages(demo_db):
    rt, reds, yellow = _alerts(demo_db)
    with rt.reader() as s:
        first = ledger_page(s, rt.calendar, LedgerFilter(), page=1, size=1)
        second = ledger_page(s, rt.calendar, LedgerFilter(), page=2, size=1)
        beyond = ledger_page(s, rt.calendar, LedgerFilter(), page=99, size=1)
    assert first.total == len(reds) + 1 == first.pages
    assert first.rows[0].alert.id == yellow.id  # newest first
    assert second.rows[0].alert.id != yellow.id and beyond.page == first.pages


def test_the_ledger_exports_what_it_shows_to_excel(app, demo_db):
    rt, reds, yellow = _alerts(demo_db)
    client = app.test_client()
    with time_machine.travel(bj(12, 3, 10), tick=False):
        sign_in(client, "jiancha")
        resp = client.get("/ledger/export.xlsx?level=red")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(resp.data))["预警处置台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:9] == ("编号", "报警时间", "灯色", "规则", "部门", "办件流水号", "内容", "状态", "处置阶段")
    assert sorted(r[0] for r in rows[1:]) == sorted(a.id for a in reds)
    assert {(r[2], r[7], r[8], r[9]) for r in rows[1:]} == {("红灯报警", "未关闭", "待说明", "进入处置")}
    assert all(r[11] == 2 for r in rows[1:])  # raised 12-01, now 12-03: two working days
    with rt.reader() as s:
        [event] = s.execute(select(AuditEvent).where(AuditEvent.action == "ledger.exported")).scalars().all()
    assert event.actor == "jiancha" and event.payload == {"filters": {"level": "red"}, "rows": len(reds)}


def test_a_supervisor_starts_a_yellow_alerts_life_from_its_page(app, demo_db):
    rt, reds, yellow = _alerts(demo_db)
    client = app.test_client()
    with time_machine.travel(bj(12, 2, 14), tick=False):
        token = sign_in(client, "jiancha")
        page = client.get(f"/ledger/{yellow.id}").get_data(as_text=True)
        assert "交责任部门说明" in page and "尚未进入处置。" in page
        resp = client.post(f"/ledger/{yellow.id}/life", data={"csrf": token})
        assert resp.status_code == 302
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "已交责任部门说明，处置办件" in page and "待说明" in page and "进入处置" in page
        assert "交责任部门说明</button>" not in page
        again = client.post(f"/ledger/{yellow.id}/life", data={"csrf": token})
        assert "该预警已在处置中或已关闭。" in client.get(again.headers["Location"]).get_data(as_text=True)
        assert client.get("/ledger/999999").status_code == 404


def test_watch_links_each_alert_to_its_handling_and_a_directive(app, demo_db):
    rt, reds, yellow = _alerts(demo_db)
    client = app.test_client()
    sign_in(client, "jiancha")
    page = client.get("/watch/").get_data(as_text=True)
    assert f'href="/ledger/{reds[0].id}"' in page and f'href="/directives/new?alert={reds[0].id}"' in page
    assert 'href="/ledger/"' in page  # the menu
