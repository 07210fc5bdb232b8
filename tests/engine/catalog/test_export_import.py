"""Catalog export (JSON, Excel) and import: every public field, secret powers kept out, row-by-row validation."""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.catalog.drafts import Trigger, attach_flowchart, latest_version, open_change, update_fields
from engine.catalog.export import CATALOG_SHEET, DICTIONARY_SHEET, export_json, export_xlsx
from engine.catalog.fields import FIELDS
from engine.catalog.importer import ImportReport, import_catalog
from engine.catalog.publish import Approval, publish
from engine.db import make_engine, session_factory
from engine.identity import ensure_department, ensure_region
from engine.platform import build_runtime
from engine.runtime.runtime import Runtime
from engine.store import Department, Power, PowerVersion
from tests.conftest import Database
from tests.settings import make_settings

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = ROOT / "processes"
ACTOR = "fazhiban"
TRIGGER = Trigger("law", "《示范市行政权力清单》（示府发〔2026〕1号）", None)

# Departments of their own, so tests can run beside the demo's (whose codes they would otherwise collide with).
MARKET = ("TSJ", "示范市测试监管局", ["受理", "承办", "审核", "批准", "立案", "调查", "法制审核", "负责人"])
CIVIL = ("TMZ", "示范市测试民政局", ["受理", "审核"])

COMMON: dict[str, Any] = {
    "legal_basis": [{"law": "《中华人民共和国行政许可法》", "article": "第三十条", "text": "应当公示……"}],
    "supervision_phone": "0837-12345",
    "rights_channels": "对决定不服的，可依法申请行政复议或提起行政诉讼。",
}
SERVICE: dict[str, Any] = COMMON | {
    "conditions": "申请人符合法定条件。",
    "materials": [{"name": "申请书", "copies": 1, "required": True, "note": ""}],
    "fees": {"charged": False, "standard": "", "basis": ""},
    "place": "示范市政务服务中心二楼", "phone": "0837-2881000",
}
LICENSE: dict[str, Any] = SERVICE | {
    "legal_limit_days": 20, "promised_limit_days": 10,
    "online_url": "https://zwfw.example.gov.cn/spjy", "service_guide": "可在窗口或网上申请。",
    "forms": [{"name": "申请书", "url": "https://zwfw.example.gov.cn/forms/a.docx"}],
    "faq": [{"q": "需要现场核查吗？", "a": "新办需要。"}],
}
PENALTY: dict[str, Any] = COMMON | {
    "legal_limit_days": 75, "promised_limit_days": 60, "place": "示范市测试监管局执法大队",
    "procedure": "立案、调查取证、法制审核、告知、决定、送达。", "penalty_kinds": ["警告", "罚款"],
    "discretion_standard": [{"level": "一般", "min_amount": 5000, "max_amount": 20000, "description": "首次"}],
}
CONFIRMATION: dict[str, Any] = SERVICE | {"legal_limit_days": 20, "promised_limit_days": 5}


def runtime_for(db: Database) -> Runtime:
    return build_runtime(db.sessions, make_settings(database_url=db.url))


def make_departments(s: Session) -> dict[str, Department]:
    region = ensure_region(s, "519900", "示范市")
    return {code: ensure_department(s, region, code, name, posts) for code, name, posts in (MARKET, CIVIL)}


def publish_power(rt: Runtime, s: Session, dept: Department, category: str, name: str, fields: dict[str, Any],
                  process: str, *, external: str | None = None, secret: bool = False) -> Power:
    """A power published the real way: open → fields → flowcharts → publish."""
    change = open_change(s, "add", department=dept, actor=ACTOR, reason="清单公布", trigger=TRIGGER,
                         category=category, name=name, secret=secret)
    assert update_fields(s, change, fields, actor=ACTOR) == {}
    attach_flowchart(s, change, "internal", (PROCESSES / process).read_bytes(), actor=ACTOR, forms=rt.forms)
    if external:
        attach_flowchart(s, change, "external", (PROCESSES / external).read_bytes(), actor=ACTOR, forms=rt.forms)
    publish(s, change, actor=ACTOR, forms=rt.forms)
    return change.power


def build_catalog(rt: Runtime) -> dict[str, str]:
    """A licence, a suspended penalty, a confirmation and a secret confirmation; returns role → code."""
    with rt.sessions.begin() as s:
        depts = make_departments(s)
        market, civil = depts["TSJ"], depts["TMZ"]
        lic = publish_power(rt, s, market, "license", "测试经营许可", LICENSE, "license_food_business.bpmn",
                            external="confirmation_simple.bpmn")
        pen = publish_power(rt, s, market, "penalty", "测试行政处罚", PENALTY, "penalty_general.bpmn")
        suspend = open_change(s, "suspend", department=market, actor=ACTOR, reason="专家评审", trigger=TRIGGER,
                              power=pen)
        publish(s, suspend, actor=ACTOR, forms=rt.forms)
        conf = publish_power(rt, s, civil, "confirmation", "测试资格确认", CONFIRMATION, "confirmation_simple.bpmn")
        secret = publish_power(rt, s, civil, "confirmation", "涉密资格确认", CONFIRMATION,
                               "confirmation_simple.bpmn", secret=True)
        return {"license": lic.code, "penalty": pen.code, "confirmation": conf.code, "secret": secret.code}


@pytest.fixture
def rt(db: Database) -> Runtime:
    return runtime_for(db)


@pytest.fixture
def codes(rt: Runtime) -> dict[str, str]:
    return build_catalog(rt)


@pytest.fixture
def fresh(request: pytest.FixtureRequest, db: Database, _templates: Any, tmp_path: Path) -> Iterator[Database]:
    """A second empty, migrated database on the same backend, holding only the departments."""
    url = request.node.callspec.params["db"]
    template = _templates.template(url)
    if url == "sqlite":
        path = tmp_path / "fresh.sqlite"
        shutil.copy(template, path)
        fresh_url = f"sqlite:///{path}"
        name = None
    else:
        name = f"sunshine_io_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with _templates.admin(url).connect() as c:
            c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        fresh_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(fresh_url)
    database = Database(fresh_url, engine, session_factory(engine))
    with database.sessions.begin() as s:
        make_departments(s)
    try:
        yield database
    finally:
        engine.dispose()
        if name:
            with _templates.admin(url).connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


#: The round trips below move a catalog between databases: migrations, published at once on this approval.
MIGRATION = Approval("示府函〔2026〕12号", "王市长")


def do_import(rt: Runtime, data: bytes, filename: str, **kw: Any) -> ImportReport:
    kw.setdefault("route", MIGRATION)
    with rt.sessions.begin() as s:
        return import_catalog(s, data, filename, actor=ACTOR, forms=rt.forms, **kw)


def exported(rt: Runtime) -> dict[str, Any]:
    with rt.reader() as s:
        return json.loads(export_json(s))


def comparable(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["code"]: {k: v for k, v in p.items() if k != "version"} for p in doc["powers"]}


def row_of(report: ImportReport, number: int) -> Any:
    return next(r for r in [*report.accepted, *report.rejected] if r.row == number)


# ---------------------------------------------------------------------------------------------------------------


def test_json_export_lists_every_public_field_and_the_flowcharts_but_no_secret_power(rt, codes):
    doc = exported(rt)
    assert doc["exported_at"].startswith("20")
    by_code = {p["code"]: p for p in doc["powers"]}
    assert set(by_code) == {codes["license"], codes["penalty"], codes["confirmation"]}
    assert "涉密" not in json.dumps(doc, ensure_ascii=False)
    lic = by_code[codes["license"]]
    assert {f.key for f in FIELDS} <= set(lic)
    assert lic["name"] == "测试经营许可" and lic["category"] == "license" and lic["department"] == "示范市测试监管局"
    assert lic["legal_limit_days"] == 20 and lic["promised_limit_days"] == 10
    assert lic["legal_basis"] == COMMON["legal_basis"] and lic["faq"] == LICENSE["faq"]
    assert lic["status"] == "published" and lic["version"] == 1
    assert lic["internal_bpmn"] == (PROCESSES / "license_food_business.bpmn").read_text(encoding="utf-8")
    assert lic["external_bpmn"] == (PROCESSES / "confirmation_simple.bpmn").read_text(encoding="utf-8")
    pen = by_code[codes["penalty"]]
    assert pen["status"] == "suspended" and pen["version"] == 2
    assert pen["discretion_standard"] == PENALTY["discretion_standard"] and pen["online_url"] is None


def test_json_round_trip_into_a_fresh_database_reproduces_the_powers(rt, codes, fresh):
    with rt.reader() as s:
        data = export_json(s)
    target = runtime_for(fresh)
    progress: list[tuple[int, int]] = []
    report = do_import(target, data, "catalog.json", progress=lambda done, total: progress.append((done, total)))
    assert report.error is None and report.rejected == [], report.rejected
    assert [(r.row, r.code, r.action) for r in report.accepted] == [
        (1, codes["confirmation"], "add"), (2, codes["penalty"], "add"), (3, codes["license"], "add")]
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    assert comparable(exported(target)) == comparable(json.loads(data))
    with target.sessions() as s:
        pen = s.execute(select(Power).where(Power.code == codes["penalty"])).scalar_one()
        assert pen.status == "suspended" and pen.process_key == pen.code and pen.legal_limit_days == 75
    # New powers keep counting after the imported numbers: no code is ever handed out twice.
    report = do_import(target, json.dumps([{**json.loads(data)["powers"][0], "code": None}]).encode(), "x.json")
    assert report.accepted[0].code.endswith("-QR-0002"), report


def test_imported_codes_are_kept_even_out_of_order_and_never_handed_out_again(rt, codes, fresh):
    lic = next(p for p in exported(rt)["powers"] if p["code"] == codes["license"])
    rows = [{**lic, "code": "519900-TSJ-XK-0005"}, {**lic, "code": "519900-TSJ-XK-0002"}, {**lic, "code": ""}]
    target = runtime_for(fresh)
    report = do_import(target, json.dumps(rows).encode(), "x.json")
    # 0002 came after the counter had passed it: open_change drew 0006 (now skipped for good), the row kept 0002.
    assert [r.code for r in report.accepted] == ["519900-TSJ-XK-0005", "519900-TSJ-XK-0002", "519900-TSJ-XK-0007"]
    with target.sessions() as s:
        power = s.execute(select(Power).where(Power.code == "519900-TSJ-XK-0002")).scalar_one()
        assert latest_version(s, power.id).fields["code"] == power.code == power.process_key


def test_xlsx_round_trip_into_a_fresh_database(rt, codes, fresh):
    with rt.sessions.begin() as s:
        # Text Excel would take for a formula, and a guide longer than one cell holds (32767 characters).
        lic = s.execute(select(Power).where(Power.code == codes["license"])).scalar_one()
        change = open_change(s, "modify", department=lic.department, actor=ACTOR, reason="修订", trigger=TRIGGER,
                             power=lic)
        update_fields(s, change, {"conditions": "=1+1 不是公式", "service_guide": "办理指南。" * 8000}, actor=ACTOR)
        publish(s, change, actor=ACTOR, forms=rt.forms)
    with rt.reader() as s:
        data = export_xlsx(s)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [CATALOG_SHEET, DICTIONARY_SHEET]
    sheet = book[CATALOG_SHEET]
    headers = [c.value for c in sheet[1]]
    keys = [c.value for c in sheet[2]]
    assert "事项名称" in headers and "内部流程图（BPMN）" in headers and "法律依据" in headers
    assert {"code", "name", "legal_basis", "internal_bpmn", "external_bpmn", "service_guide.2"} <= set(keys)
    assert "服务指南（续2）" in headers
    assert sheet.max_row == 5  # two header rows, three public powers
    basis = sheet.cell(row=3, column=keys.index("legal_basis") + 1).value
    assert json.loads(basis) == COMMON["legal_basis"] and "\n" in basis  # readable, indented JSON
    dictionary = {r[0]: r for r in book[DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True)}
    assert dictionary["online_url"][1] == "在线办理链接" and dictionary["online_url"][4] == "行政许可"

    target = runtime_for(fresh)
    report = do_import(target, data, "目录.xlsx")
    assert report.error is None and report.rejected == [], report.rejected
    assert [r.row for r in report.accepted] == [3, 4, 5]
    assert comparable(exported(target)) == comparable(exported(rt))


def test_reimport_modifies_changed_powers_and_leaves_the_rest_alone(rt, codes):
    doc = exported(rt)
    lic = next(p for p in doc["powers"] if p["code"] == codes["license"])
    lic["place"] = "示范市政务服务中心三楼"
    report = do_import(rt, json.dumps(doc, ensure_ascii=False).encode(), "catalog.json")
    assert report.rejected == []
    actions = {r.code: r.action for r in report.accepted}
    assert actions == {codes["license"]: "modify", codes["penalty"]: "unchanged", codes["confirmation"]: "unchanged"}
    with rt.sessions() as s:
        power = s.execute(select(Power).where(Power.code == codes["license"])).scalar_one()
        version = latest_version(s, power.id)
        assert version.number == 2 and version.fields["place"] == "示范市政务服务中心三楼"
        assert s.execute(select(func.count()).select_from(PowerVersion)).scalar() == 6


def test_one_good_row_is_imported_and_every_bad_row_is_reported_with_its_reasons(rt, codes):
    good = next(p for p in exported(rt)["powers"] if p["code"] == codes["confirmation"])
    good = {**good, "code": None, "name": "新增资格确认"}
    rows = [
        good,
        {**good, "name": "未知类别", "category": "行政许愿"},
        {**good, "name": "缺受理条件", "conditions": ""},
        {**good, "name": "时限颠倒", "promised_limit_days": 30, "legal_limit_days": 20},
        {**good, "name": "坏流程图", "internal_bpmn": "<definitions><process id='x'"},
        {**good, "name": "没有部门", "department": "示范市不存在局"},
        {**good, "name": "时限非整数", "legal_limit_days": "二十"},
        {**good, "name": "编码不对", "code": "519900-TSJ-QR-0009"},
        {**good, "name": "涉密", "code": codes["secret"]},
        "not an object",
        {**good, "name": "无此部门", "department": "示范市不存在局", "department_code": None},
    ]
    report = do_import(rt, json.dumps({"powers": rows}, ensure_ascii=False).encode(), "bad.json")
    assert report.error is None
    assert [(r.row, r.name, r.action) for r in report.accepted] == [(1, "新增资格确认", "add")]
    assert report.accepted[0].code == "519900-TMZ-QR-0003"
    assert [r.row for r in report.rejected] == list(range(2, 12))
    reasons = {r.row: " ".join(r.reasons) for r in report.rejected}
    assert "未知的权力类别「行政许愿」" in reasons[2]
    assert "缺少：受理条件" in reasons[3]
    assert "承诺时限（30 个工作日）超过法定时限（20 个工作日）" in reasons[4]
    assert reasons[5].startswith("内部流程图：")
    assert "办理部门「示范市不存在局」与部门编码 TMZ（示范市测试民政局）不一致" in reasons[6]
    assert "「法定时限（工作日）」应为不小于 0 的整数" in reasons[7]
    assert "部门编码应为 TMZ" in reasons[8]
    assert "涉密事项" in reasons[9]
    assert "不是一个事项" in reasons[10]
    assert "办理部门「示范市不存在局」不存在" in reasons[11]
    with rt.sessions() as s:
        names = set(s.execute(select(Power.name)).scalars())
    assert "新增资格确认" in names and not names & {"未知类别", "缺受理条件", "时限颠倒", "坏流程图"}


def test_reasons_in_english_and_a_hand_made_sheet_with_chinese_headers(rt, codes):
    book = Workbook()
    sheet = book.active
    sheet.append(["事项名称", "权力类别", "办理部门", "法定时限（工作日）", "承诺时限（工作日）", "法律依据"])
    sheet.append(["手工录入的确认", "行政确认", "示范市测试民政局", 20, 5, "《示范条例》第三条"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = do_import(rt, buffer.getvalue(), "手工.xlsx", lang="en")
    [rejected] = report.rejected
    assert rejected.row == 2 and rejected.name == "手工录入的确认"
    assert "Missing: Conditions" in rejected.reasons and "Missing: internal flowchart" in rejected.reasons
    assert not any("Legal basis" in r for r in rejected.reasons)  # plain text law lines are accepted


def _zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(name, content)
    return buffer.getvalue()


def _empty_xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "filename", "expected"), [
    (b"{\"powers\": [", "catalog.json", "JSON 格式错误（第 1 行"),
    (b"\x00\x9f\x92\x96garbage\xff" * 50, "catalog.bin", "无法识别的文件"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "catalog.xlsx", "不是有效的 Excel"),
    (_zip("readme.txt", b"hello"), "catalog.xlsx", "不是有效的 Excel"),
    (_empty_xlsx(), "empty.xlsx", "没有任何事项"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "另存为 .xlsx"),
    (b"", "catalog.json", "文件是空的"),
    (b"{\"powers\": []}", "catalog.json", "没有任何事项"),
    (b"{\"powers\": \"many\"}", "catalog.json", "JSON 文件应为"),
    ("[{\"名称\": 1}]".encode("gbk"), "catalog.json", "不是 UTF-8"),
])
def test_unreadable_files_give_one_clear_error(db, data, filename, expected):
    rt = runtime_for(db)
    report = do_import(rt, data, filename)
    assert report.error is not None and expected in report.error, report.error
    assert report.accepted == [] and report.rejected == []


def test_a_row_for_a_power_with_an_open_request_is_refused_naming_it(rt, codes):
    doc = exported(rt)
    lic = next(p for p in doc["powers"] if p["code"] == codes["license"])
    lic["place"] = "示范市政务服务中心三楼"
    with rt.sessions.begin() as s:
        power = s.execute(select(Power).where(Power.code == codes["license"])).scalar_one()
        pending = open_change(s, "modify", department=power.department, actor="mulu", reason="承诺时限压缩",
                              trigger=TRIGGER, power=power)
    for lang, expected in (("zh", f"尚未办结的调整申请 #{pending.id}"),
                           ("en", f"open adjustment request #{pending.id}")):
        report = do_import(rt, json.dumps(doc, ensure_ascii=False).encode(), "catalog.json", lang=lang)
        [rejected] = report.rejected
        assert rejected.name == "测试经营许可" and any(expected in r for r in rejected.reasons), rejected
    with rt.sessions() as s:
        power = s.execute(select(Power).where(Power.code == codes["license"])).scalar_one()
        assert latest_version(s, power.id).number == 1  # the open request is not overwritten
