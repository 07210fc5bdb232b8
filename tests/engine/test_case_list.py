"""办件: the cases a user may see, newest first, a page at a time, searched and filtered; and their Excel export."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

import engine.case_export
from engine.case_export import COLUMNS, ExportTooLarge, export_cases, mask_id
from engine.case_list import CaseFilter, case_counts, case_page
from engine.case_search import BadSearch, clean
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.runtime import Runtime
from engine.store import AuditEvent, Case, Power, ProcessVersion, User
from tests.engine.conftest import MONDAY_10_BJ, Org

_serials = itertools.count(1)
NOW = MONDAY_10_BJ + timedelta(days=10)


def add_cases(session, power: Power, cases: list[dict], department_id: int | None = None) -> list[int]:  # type: ignore[no-untyped-def]
    """Cases as registration writes them (no steps); each dict sets columns over running defaults. Their ids."""
    version = session.execute(select(ProcessVersion.id).where(ProcessVersion.process_key == power.process_key)
                              .order_by(ProcessVersion.id.desc())).scalars().first()
    first = (session.execute(select(func.max(Case.id))).scalar() or 0) + 1
    rows = []
    for case_id, values in enumerate(cases, start=first):
        n = next(_serials)
        rows.append({**dict(
            id=case_id, serial=f"CSJ-20261123-{n:04d}", power_id=power.id, process_version_id=version,
            department_id=department_id or power.department_id, subject=f"事由 {n}",
            applicant_name="成都示例餐饮有限公司",
            applicant_id_type="居民身份证", applicant_id_number="510104199001011234", applicant_contact="028-12345678",
            status="running", created_at=MONDAY_10_BJ, created_by="test", workflow_json="{}", version=1,
            limit_alert_level=0, clock_paused_at=None, promised_due_at=None, legal_due_at=None, completed_at=None,
            end_name=None,
        ), **values})
    session.execute(insert(Case), rows)
    return [r["id"] for r in rows]


@pytest.fixture
def mixed(rt: Runtime, org: Org, power: Power) -> dict[str, list[int]]:
    """Cases of the test department in every state, and two of another department."""
    with rt.sessions.begin() as s:
        other = ensure_department(s, ensure_region(s, "510000", "测试市"), "QTJ", "其他局", ["受理"])
        ids = {
            "running": add_cases(s, power, [{"created_at": MONDAY_10_BJ + timedelta(hours=i),
                                             "promised_due_at": NOW + timedelta(days=3)} for i in range(7)]),
            "completed": add_cases(s, power, [{"status": "completed", "completed_at": MONDAY_10_BJ + timedelta(days=2),
                                               "end_name": "准予许可", "created_at": MONDAY_10_BJ - timedelta(days=3)}
                                              for _ in range(3)]),
            "overdue": add_cases(s, power, [{"promised_due_at": NOW - timedelta(days=1), "applicant_name": "张三",
                                             "applicant_id_number": "51010419900101567X"}] * 2),
            "paused": add_cases(s, power, [{"clock_paused_at": MONDAY_10_BJ + timedelta(days=1),
                                            "promised_due_at": NOW - timedelta(days=1)}]),
            "elsewhere": add_cases(s, power, [{}, {"applicant_name": "张三"}], department_id=other.id),
        }
    return ids


def _user(rt: Runtime, username: str) -> User:
    """The user with their roles, as a signed-in request holds them."""
    with rt.sessions() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        user.roles  # noqa: B018 - loaded for visible_cases, before the session closes
        return user


def _walk(rt: Runtime, user: User, f: CaseFilter, size: int) -> list[list[int]]:
    pages = []
    with rt.reader() as s:
        page = case_page(s, user, f, size=size)
        while True:
            pages.append([r.id for r in page.rows])
            assert (page.prev_key is None) == (len(pages) == 1)
            if page.next_key is None:
                break
            page = case_page(s, user, f, after=page.next_key, size=size)
        back = [[r.id for r in page.rows]]
        while page.prev_key is not None:
            page = case_page(s, user, f, before=page.prev_key, size=size)
            back.append([r.id for r in page.rows])
    assert back[::-1] == pages  # back by the "previous" keys: the same pages
    return pages


def _seen(rt: Runtime, user: User, f: CaseFilter | None = None) -> list[int]:
    return [i for p in _walk(rt, user, f or CaseFilter(), size=3) for i in p]


def test_every_visible_case_newest_first_a_page_at_a_time_both_ways(rt, org, mixed):
    mine = sorted((i for k, v in mixed.items() if k != "elsewhere" for i in v), reverse=True)
    with time_machine.travel(NOW, tick=False):
        pages = _walk(rt, _user(rt, "clerk"), CaseFilter(), size=4)
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    assert [i for p in pages for i in p] == mine  # none lost, none repeated; no cut at a fixed number


def test_a_user_sees_only_the_cases_they_may_see(rt, org, mixed, power):
    everything = sorted((i for v in mixed.values() for i in v), reverse=True)
    with rt.sessions.begin() as s:
        create_user(s, "jiancha", "监察", "pw-jiancha", roles=["supervisor"])
    with time_machine.travel(NOW, tick=False):
        assert _seen(rt, _user(rt, "outsider")) == []
        assert set(_seen(rt, _user(rt, "clerk"))) == set(everything) - set(mixed["elsewhere"])
        assert _seen(rt, _user(rt, "jiancha")) == everything
        # A search does not widen what is seen.
        assert set(_seen(rt, _user(rt, "clerk"), CaseFilter(search="张三"))) == set(mixed["overdue"])


def test_each_state_filter_lists_its_cases_and_a_search_counts_them(rt, org, mixed, power):
    want = {"running": mixed["running"] + mixed["overdue"] + mixed["paused"], "completed": mixed["completed"],
            "overdue": mixed["overdue"], "paused": mixed["paused"]}
    clerk, search = _user(rt, "clerk"), power.code  # the search finds every case of the power
    with time_machine.travel(NOW, tick=False):
        with rt.reader() as s:
            counts = case_counts(s, clerk, CaseFilter(search=search))
            rows = {r.id: r for r in case_page(s, clerk, size=50).rows}
            # Without a search nothing is counted: a count of a rare state would read every visible case.
            assert case_counts(s, clerk, CaseFilter(state="paused")) is None
        assert {k: v.value for k, v in counts.states.items()} == {k: len(v) for k, v in want.items()}
        for state, ids in want.items():
            assert sorted(_seen(rt, clerk, CaseFilter(state=state))) == sorted(ids), state
            with rt.reader() as s:
                assert case_counts(s, clerk, CaseFilter(search=search, state=state)).shown.value == len(ids)
    assert {rows[i].state(NOW) for i in mixed["running"]} == {"running"}
    assert {rows[i].state(NOW) for i in mixed["paused"]} == {"paused"}
    assert {rows[i].state(NOW) for i in mixed["overdue"]} == {"overdue"}


def test_filters_by_power_date_range_and_search_combine(rt, org, mixed, power):
    with time_machine.travel(NOW, tick=False):
        assert set(_seen(rt, _user(rt, "clerk"), CaseFilter(power_id=power.id))) == \
            {i for k, v in mixed.items() if k != "elsewhere" for i in v}
        assert _seen(rt, _user(rt, "clerk"), CaseFilter(power_id=power.id + 100)) == []
        # 受理时间 in Beijing dates, both ends included: the completed cases came three days before the Monday.
        before = CaseFilter(created_to=date(2026, 11, 20))
        assert sorted(_seen(rt, _user(rt, "clerk"), before)) == sorted(mixed["completed"])
        monday = CaseFilter(created_from=date(2026, 11, 23), created_to=date(2026, 11, 23))
        assert len(_seen(rt, _user(rt, "clerk"), monday)) == 10
        assert sorted(_seen(rt, _user(rt, "clerk"), CaseFilter(search="51010419900101567x", state="overdue"))) == \
            sorted(mixed["overdue"])
        assert _seen(rt, _user(rt, "clerk"), CaseFilter(search="张三", state="completed")) == []


def _sheet(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_the_export_holds_every_selected_case_with_id_numbers_masked_and_is_audited(rt, org, mixed):
    with time_machine.travel(NOW, tick=False), rt.sessions.begin() as s:
        export = export_cases(s, _user(rt, "clerk"), CaseFilter(state="overdue"))
    lines = _sheet(export.content)
    assert lines[0] == COLUMNS and lines[0][:3] == ["办件流水号", "事项", "事由"]
    assert len(lines) == 1 + len(mixed["overdue"]) == 1 + export.rows and export.masked
    with rt.reader() as s:
        serials = dict(s.execute(select(Case.id, Case.serial).where(Case.id.in_(mixed["overdue"]))).all())
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "cases.exported")).scalar_one()
    assert [line[0] for line in lines[1:]] == [serials[i] for i in sorted(mixed["overdue"], reverse=True)]
    row = dict(zip(COLUMNS, lines[1], strict=True))
    assert row["申请人"] == "张三" and row["证件号码"] == "510***********567X" and row["状态"] == "已超期"
    assert "51010419900101567X" not in str(lines)
    assert event.actor == "clerk" and event.payload == {"filters": {"state": "overdue"}, "rows": 2, "masked": True}


def test_a_supervisor_s_export_has_the_id_numbers_and_every_case(rt, mixed):
    with rt.sessions.begin() as s:
        create_user(s, "jiancha", "监察", "pw-jiancha", roles=["supervisor"])
    supervisor = _user(rt, "jiancha")
    with time_machine.travel(NOW, tick=False), rt.sessions.begin() as s:
        export = export_cases(s, supervisor, CaseFilter(search="张三"))
    lines = _sheet(export.content)
    assert not export.masked and len(lines) == 1 + 3  # two overdue and the other department's
    assert {line[COLUMNS.index("证件号码")] for line in lines[1:]} == {"51010419900101567X", "510104199001011234"}


def test_an_export_over_the_maximum_is_refused_not_cut(rt, org, mixed, monkeypatch):
    monkeypatch.setattr(engine.case_export, "EXPORT_MAX", 5)
    with pytest.raises(ExportTooLarge), rt.sessions.begin() as s:
        export_cases(s, _user(rt, "clerk"), CaseFilter())
    with rt.reader() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "cases.exported")).first() is None
    with rt.sessions.begin() as s:
        assert export_cases(s, _user(rt, "clerk"), CaseFilter(state="completed")).rows == 3


@pytest.mark.parametrize(("number", "masked"), [
    ("510104199001011234", "510***********1234"), ("91510100MA6C00000M", "915***********000M"),
    ("H12345678", "H12**5678"), ("12345678", "1******8"), ("123", "***"),
])
def test_id_numbers_are_masked_keeping_only_their_ends(number, masked):
    assert mask_id(number) == masked


@pytest.mark.parametrize(("text", "code"), [
    ("王", "search.too_short"), ("王" * 201, "search.too_long"), ("王\x00小", "search.invisible"),
    ("\u202e王小", "search.invisible"),
])
def test_a_search_that_cannot_run_is_refused_with_its_reason(text, code):
    with pytest.raises(BadSearch) as refused:
        clean(text)
    assert refused.value.code == code
    assert clean("  王小明 ") == "王小明" and clean("") == ""
