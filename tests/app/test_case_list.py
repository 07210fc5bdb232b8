"""办件 over HTTP: every visible case reachable by its links, filters kept, counts per state, and the Excel export."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from openpyxl import load_workbook
from sqlalchemy import select

import engine.case_export
from engine import clock
from engine.access import visible_cases
from engine.store import AuditEvent, Case, Department, Power, User
from tests.app.conftest import sign_in
from tests.engine.test_case_list import add_cases

ROW = re.compile(r'<tr data-case="(\d+)" data-state="([a-z]+)">')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')


def _power(demo_db, department: str) -> Power:  # type: ignore[no-untyped-def]
    with demo_db.sessions() as s:
        return s.execute(select(Power).join(Department, Department.id == Power.department_id)
                         .where(Department.code == department, Power.process_key.is_not(None))
                         .order_by(Power.id)).scalars().first()


def _add(demo_db, department: str, n: int, **values) -> list[int]:  # type: ignore[no-untyped-def]
    power = _power(demo_db, department)
    with demo_db.sessions.begin() as s:
        return add_cases(s, power, [{"created_at": clock.now(), **values} for _ in range(n)])


def _visible(demo_db, username: str) -> list[int]:  # type: ignore[no-untyped-def]
    with demo_db.sessions() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        return s.execute(select(Case.id).where(visible_cases(user)).order_by(Case.id.desc())).scalars().all()


def _page(client, url: str) -> tuple[list[int], str | None, str | None, str]:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == 200, url
    page = resp.get_data(as_text=True)
    links = [unescape(m.group(1)) if m else None for m in (NEXT.search(page), PREV.search(page))]
    return [int(i) for i, _ in ROW.findall(page)], links[0], links[1], page


def _walk(client, url: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen, pages, back, wanted = [], [], None, parse_qs(urlsplit(url).query)
    while url:
        rows, url, back, _ = _page(client, url)
        assert (back is None) == (not pages)
        pages.append(rows)
        seen += rows
        if url:
            query = parse_qs(urlsplit(url).query)
            assert {k: query[k] for k in wanted} == wanted  # the filters travel with the links
    again: list[int] = []
    while back:
        rows, _, back, _ = _page(client, back)
        again = rows + again
    assert again == [i for p in pages[:-1] for i in p]
    return seen


def test_every_visible_case_is_listed_once_by_the_links_no_cut_at_a_hundred(app, demo_db):
    _add(demo_db, "SCJGJ", 130)
    elsewhere = _add(demo_db, "MZJ", 4)
    client = app.test_client()
    sign_in(client, "shouli")
    seen = _walk(client, "/work/cases")
    assert seen == _visible(demo_db, "shouli") and len(seen) > 130
    assert not set(seen) & set(elsewhere)


def test_state_search_and_power_filters_with_their_counts(app, demo_db):
    running = _add(demo_db, "SCJGJ", 3, applicant_name="赵六一")
    paused = _add(demo_db, "SCJGJ", 2, applicant_name="赵六一", clock_paused_at=clock.now())
    done = _add(demo_db, "SCJGJ", 1, applicant_name="赵六一", status="completed", completed_at=clock.now(),
                end_name="准予许可")
    client = app.test_client()
    sign_in(client, "shouli")
    q = "?q=%E8%B5%B5%E5%85%AD%E4%B8%80"  # 赵六一
    rows, _, _, page = _page(client, "/work/cases" + q)
    assert sorted(rows) == sorted(running + paused + done) and "共 6 件办件" in page
    assert re.search(r'data-state="paused"[^>]*>已暂停 <b>2</b>', page)
    assert re.search(r'data-state="completed"[^>]*>已办结 <b>1</b>', page)
    rows, _, _, page = _page(client, "/work/cases" + q + "&state=paused")
    assert sorted(rows) == sorted(paused) and "共 2 件办件" in page
    rows, _, _, page = _page(client, "/work/cases" + q + "&state=completed")
    assert rows == done and "已办结：准予许可" in page
    power = _power(demo_db, "SCJGJ").id
    assert sorted(_walk(client, f"/work/cases{q}&power={power}")) == sorted(running + paused + done)
    assert _walk(client, f"/work/cases{q}&power={power}&from=2001-01-01&to=2001-12-31") == []


def test_the_export_is_a_workbook_of_what_the_filters_select_masked_and_audited(app, demo_db):
    ids = _add(demo_db, "SCJGJ", 3, applicant_name="钱七七", applicant_id_number="110101199003074512")
    _add(demo_db, "MZJ", 2, applicant_name="钱七七")  # not the clerk's to see
    client = app.test_client()
    sign_in(client, "shouli")
    page = client.get("/work/cases?q=%E9%92%B1%E4%B8%83%E4%B8%83").get_data(as_text=True)  # 钱七七
    link = unescape(re.search(r'<a class="export" href="([^"]+)"', page).group(1))
    resp = client.get(link)
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(resp.data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:8] == ("办件流水号", "事项", "事由", "申请人", "证件类型", "证件号码", "受理时间", "状态")
    with demo_db.sessions() as s:
        serials = s.execute(select(Case.serial).where(Case.id.in_(ids)).order_by(Case.id.desc())).scalars().all()
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "cases.exported")).scalar_one()
    assert [r[0] for r in rows[1:]] == serials
    assert {r[5] for r in rows[1:]} == {"110***********4512"} and {r[7] for r in rows[1:]} == {"办理中"}
    assert event.actor == "shouli" and event.payload["rows"] == 3 and event.payload["masked"] is True


def test_an_export_over_the_maximum_is_refused_with_a_message(app, demo_db, monkeypatch):
    monkeypatch.setattr(engine.case_export, "EXPORT_MAX", 2)
    _add(demo_db, "SCJGJ", 3)
    client = app.test_client()
    sign_in(client, "shouli")
    resp = client.get("/work/cases/export.xlsx?state=running", follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "所选办件超过 2 件，无法一次导出" in page
    assert "state=running" in resp.request.url


def test_bad_filters_are_explained_or_refused(app):
    client = app.test_client()
    sign_in(client, "shouli")
    page = client.get("/work/cases?from=2026-13-01").get_data(as_text=True)
    assert "日期格式应为 年-月-日。" in page
    assert client.get("/work/cases?state=lost").status_code == 400
    assert client.get("/work/cases?after=abc").status_code == 400
    assert client.get("/work/cases/export.xlsx?state=lost").status_code == 400
