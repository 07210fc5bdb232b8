"""Export the public catalog (行政职权目录) as JSON or Excel, in the shape ``engine.catalog.importer`` reads back.

Only published and suspended powers that are not secret (涉密) leave the platform. Public fields are keyed by
the English keys of ``engine.catalog.fields``; Excel sheets carry the Chinese headers plus a row of those keys.
"""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import clock
from engine.catalog.fields import CATEGORIES, FIELDS, FieldDef
from engine.runtime.deploy import latest_version as latest_process
from engine.store import Power, PowerVersion

EXPORTED_STATUSES = ("published", "suspended")
STATUS_LABELS = {"published": ("已发布", "Published"), "suspended": ("已暂停", "Suspended")}
# Columns after the public fields: key → Chinese header.
EXTRA_COLUMNS = {"status": "状态", "version": "版本号", "internal_bpmn": "内部流程图（BPMN）",
                 "external_bpmn": "外部流程图（BPMN）"}
CATALOG_SHEET = "职权目录"
DICTIONARY_SHEET = "字段说明"
# Excel refuses longer cell text; longer values continue in columns keyed ``key.2``, ``key.3``…
CELL_LIMIT = 32767


def public_fields() -> list[FieldDef]:
    return [f for f in FIELDS if f.public]


def _latest_versions(session: Session, power_ids: list[int]) -> dict[int, PowerVersion]:
    if not power_ids:
        return {}
    newest = (select(PowerVersion.power_id, func.max(PowerVersion.number).label("number"))
              .where(PowerVersion.power_id.in_(power_ids)).group_by(PowerVersion.power_id).subquery())
    rows = session.execute(select(PowerVersion).join(newest, (PowerVersion.power_id == newest.c.power_id)
                                                     & (PowerVersion.number == newest.c.number))).scalars()
    return {v.power_id: v for v in rows}


def exported_records(session: Session) -> list[dict[str, Any]]:
    """Every published or suspended non-secret power, by code, with its newest published fields and flowcharts."""
    powers = list(session.execute(
        select(Power).where(Power.status.in_(EXPORTED_STATUSES), Power.secret.is_(False))
        .options(selectinload(Power.department)).order_by(Power.code)).scalars())
    versions = _latest_versions(session, [p.id for p in powers])
    out: list[dict[str, Any]] = []
    for power in powers:
        version = versions.get(power.id)
        fields: dict[str, Any] = dict(version.fields) if version else {}
        internal = version.internal_bpmn if version else None
        if version is None and power.process_key:
            # Powers set up before the catalog existed (e.g. the demo) have no snapshot: use the deployed flowchart.
            deployed = latest_process(session, power.process_key)
            internal = deployed.bpmn_xml if deployed else None
        record: dict[str, Any] = {f.key: fields.get(f.key) for f in public_fields()}
        # The power row is authoritative for identity; snapshots may predate a rename of the department.
        record.update(code=power.code, name=fields.get("name") or power.name, category=power.category,
                      department=power.department.name)
        if version is None:
            record.update(implementing_body=power.department.name,
                          legal_limit_days=power.legal_limit_days or None,
                          promised_limit_days=power.promised_limit_days or None)
        record.update(department_code=power.department.code, status=power.status,
                      version=version.number if version else None, internal_bpmn=internal,
                      external_bpmn=version.external_bpmn if version else None)
        out.append(record)
    return out


def export_json(session: Session) -> bytes:
    """``{"exported_at": ISO, "powers": [...]}`` as UTF-8 JSON."""
    doc = {"exported_at": clock.now().isoformat(), "powers": exported_records(session)}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def cell_text(key: str, value: Any) -> Any:
    """How one value reads in a cell: numbers stay numbers, lists and dicts become indented JSON."""
    if value is None:
        return None
    if key == "category":
        return CATEGORIES[value][0] if value in CATEGORIES else value
    if key == "status":
        return STATUS_LABELS.get(value, (value,))[0]
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def _chunks(text: Any) -> list[Any]:
    if not isinstance(text, str) or len(text) <= CELL_LIMIT:
        return [text]
    return [text[i:i + CELL_LIMIT] for i in range(0, len(text), CELL_LIMIT)]


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        # Characters Excel cannot store are dropped; text starting with "=" must stay text, not become a formula.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _requirement(f: FieldDef) -> str:
    if f.required_for == frozenset(CATEGORIES):
        return "全部类别"
    return "、".join(CATEGORIES[c][0] for c in CATEGORIES if c in f.required_for)


def export_xlsx(session: Session) -> bytes:
    """A workbook: the catalog (Chinese headers, a row of field keys, one row per power) and a field dictionary."""
    records = exported_records(session)
    keys = [f.key for f in public_fields()] + ["department_code", *EXTRA_COLUMNS]
    headers = {f.key: f.zh for f in public_fields()} | {"department_code": "部门编码"} | EXTRA_COLUMNS
    cells = [{k: _chunks(cell_text(k, r.get(k))) for k in keys} for r in records]
    width = {k: max([1] + [len(c[k]) for c in cells]) for k in keys}

    wb = Workbook()
    ws = wb.active
    ws.title = CATALOG_SHEET
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="EEF1F4")
    column = 0
    for key in keys:
        for part in range(width[key]):
            column += 1
            suffix = "" if part == 0 else f".{part + 1}"
            _put(ws, 1, column, headers[key] + (f"（续{part + 1}）" if part else ""))
            _put(ws, 2, column, key + suffix)
            ws.cell(row=1, column=column).font, ws.cell(row=1, column=column).fill = bold, fill
            ws.cell(row=2, column=column).font = grey
            ws.column_dimensions[get_column_letter(column)].width = 40 if key.endswith("bpmn") else 18
            for row, values in enumerate(cells, start=3):
                parts = values[key]
                if part < len(parts):
                    _put(ws, row, column, parts[part])
                    ws.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C3"

    sheet = wb.create_sheet(DICTIONARY_SHEET)
    for column, title in enumerate(("字段键（第 2 行）", "中文名称", "English", "类型", "必填类别"), start=1):
        _put(sheet, 1, column, title)
        sheet.cell(row=1, column=column).font = bold
    for row, f in enumerate(public_fields(), start=2):
        for column, value in enumerate((f.key, f.zh, f.en, f.kind, _requirement(f)), start=1):
            _put(sheet, row, column, value)
    extras = [("department_code", "部门编码", "Department code", "text", "导入时可代替办理部门名称"),
              ("status", "状态", "Status", "text", "已发布 / 已暂停"),
              ("version", "版本号", "Version", "int", "仅供参考，导入时忽略"),
              ("internal_bpmn", "内部流程图（BPMN）", "Internal flowchart", "bpmn", "全部类别"),
              ("external_bpmn", "外部流程图（BPMN）", "External flowchart", "bpmn", "行政许可")]
    for row, values in enumerate(extras, start=len(public_fields()) + 2):
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    for letter, w in zip("ABCDE", (22, 24, 30, 12, 60), strict=True):
        sheet.column_dimensions[letter].width = w

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
