"""Import a catalog file (JSON or Excel, as ``engine.catalog.export`` writes them) row by row.

Every row is checked before anything is written; an accepted row then goes the ordinary adjustment path
(``open_change`` → ``update_fields`` → ``attach_flowchart``) inside its own savepoint, so a row that still fails
leaves no trace and never costs the rows around it. The caller owns the transaction. The caller also says which
of the two routes the whole file takes:

- ``ThroughReview`` (the default for people): each accepted row becomes an adjustment request of the power's
  department with its review case, exactly as if the department had opened it: 目录管理 checks and submits it,
  the legal office reviews it, the government decides, 目录管理 publishes. Nothing is published by the import.
- ``Approval`` (a migration import, e.g. moving a catalog approved elsewhere onto the platform): each row is
  published at once without the review chain; the approving document's reference and the approver are required,
  recorded on every version it publishes (shown with the power's versions) and in the audit log.

A row's text may hold no character a reader cannot see, nor a NUL (``engine.plain_text``): that is a reason of
its own for the row, naming the field and the character.

Rows that name an existing code modify that power (empty cells keep its current values); rows with a new
code or none add a power. Row numbers are the sheet's row numbers for Excel and 1-based positions for JSON.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.bpmn import format_problem
from engine.catalog.drafts import Trigger, attach_flowchart, latest_version, open_change, open_request, update_fields
from engine.catalog.export import CATALOG_SHEET, EXTRA_COLUMNS, STATUS_LABELS
from engine.catalog.fields import CATEGORIES, FIELD_BY_KEY, FIELDS, missing_fields
from engine.catalog.lint import internal_report, lint_external
from engine.catalog.publish import Approval, publish
from engine.catalog.review import REVIEW_POWER, start_review
from engine.forms import FormRegistry
from engine.plain_text import Invisible, invisible
from engine.runtime.deploy import latest_version as latest_process
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.store import CatalogChange, Counter, Department, Power

log = logging.getLogger("sunshine.catalog.import")

MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip: refuse archives that would inflate beyond this (zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_BPMN_REASONS = 8
CODE_RE = re.compile(r"^(\d{6})-([A-Za-z0-9]+)-([A-Z]{2})-(\d{4,})$")
TEXT_KINDS = frozenset({"text", "longtext", "url", "phone"})
OTHER_KEYS = frozenset({"department_code", *EXTRA_COLUMNS})
KNOWN_KEYS = frozenset(FIELD_BY_KEY) | OTHER_KEYS
ACTIONS = {"add": ("新增", "added"), "modify": ("变更", "modified"), "unchanged": ("无变化", "unchanged"),
           "request": ("已建调整申请 #{change}", "adjustment request #{change} opened")}
#: The longest approval reference and approver name a migration import records (their columns' lengths).
APPROVAL_LIMITS = {"document": 300, "approver": 100}

MESSAGES: dict[str, tuple[str, str]] = {
    "file.empty": ("文件是空的。", "The file is empty."),
    "file.too_large": ("文件过大（上限 {limit} MB）。", "The file is too large (limit {limit} MB)."),
    "file.type": ("无法识别的文件：请上传本平台导出的 JSON 或 Excel（.xlsx）目录文件。",
                  "Unrecognised file: upload a catalog exported as JSON or Excel (.xlsx)."),
    "file.xls": ("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。",
                 "Old Excel (.xls) files are not supported; save the file as .xlsx and import it again."),
    "file.no_rows": ("文件中没有任何事项。", "The file lists no powers."),
    "json.encoding": ("JSON 文件不是 UTF-8 编码。", "The JSON file is not UTF-8 encoded."),
    "json.syntax": ("JSON 格式错误（第 {line} 行第 {column} 列）：{detail}",
                    "Malformed JSON (line {line}, column {column}): {detail}"),
    "json.invalid": ("JSON 内容无效：{detail}", "Invalid JSON content: {detail}"),
    "json.shape": ("JSON 文件应为 {{\"powers\": [...]}} 或事项列表。",
                   "The JSON file must be {{\"powers\": [...]}} or a list of powers."),
    "xlsx.invalid": ("不是有效的 Excel（.xlsx）文件，或文件已损坏。",
                     "Not a valid Excel (.xlsx) file, or it is damaged."),
    "xlsx.header": ("工作表「{sheet}」找不到表头：第 1 行应为中文列名（第 2 行可为字段键，如 code、name）。",
                    "Sheet “{sheet}” has no header: row 1 must hold the column names (row 2 may hold field keys)."),
    "row.not_object": ("该行不是一个事项（应为 JSON 对象）。", "This entry is not a power (a JSON object)."),
    "missing": ("缺少：{field}", "Missing: {field}"),
    "category.unknown": ("未知的权力类别「{value}」。", "Unknown category “{value}”."),
    "department.unknown": ("办理部门「{value}」不存在（请填写部门全称或部门编码）。",
                           "No department “{value}” (give its full name or its code)."),
    "department.conflict": ("办理部门「{value}」与部门编码 {code}（{name}）不一致。",
                            "Department “{value}” does not match department code {code} ({name})."),
    "department.ambiguous": ("有多个部门名为「{value}」，请改填部门编码。",
                             "Several departments are called “{value}”; give the department code."),
    "integer": ("「{field}」应为不小于 0 的整数，而不是「{value}」。",
                "“{field}” must be a whole number of at least 0, not “{value}”."),
    "exceeds_legal": ("承诺时限（{promised} 个工作日）超过法定时限（{legal} 个工作日）。",
                      "The promised limit ({promised} working days) exceeds the legal limit ({legal})."),
    "json_value": ("「{field}」不是有效的 JSON：{detail}", "“{field}” is not valid JSON: {detail}"),
    "shape.text": ("「{field}」应为文字。", "“{field}” must be text."),
    "shape.url": ("「{field}」应以 http:// 或 https:// 开头。", "“{field}” must start with http:// or https://."),
    "shape.fees": ("「{field}」应写明是否收费，例如 {{\"charged\": false}}。",
                   "“{field}” must say whether a fee is charged, e.g. {{\"charged\": false}}."),
    "shape.list": ("「{field}」应为列表。", "“{field}” must be a list."),
    "shape.discretion": ("「{field}」的每一档都要写明情节（level）。",
                         "Each level of “{field}” needs its circumstance."),
    "shape.range": ("「{field}」的金额范围无效（应为数字，且下限不大于上限）。",
                    "“{field}” has an invalid amount range (numbers, minimum not above maximum)."),
    "shape.days": ("「{field}」不能超过 2500 个工作日。", "“{field}” cannot exceed 2500 working days."),
    "shape.integer": ("「{field}」应为不小于 0 的整数。", "“{field}” must be a whole number of at least 0."),
    "shape.other": ("「{field}」格式不正确。", "“{field}” has the wrong format."),
    "status.unknown": ("状态「{value}」无效，只能是“已发布”或“已暂停”。",
                       "Status “{value}” is invalid: only published or suspended."),
    "code.format": ("权力编码「{value}」格式不正确，应为 行政区划代码-部门编码-类别字母-序号，"
                    "例如 519900-SCJGJ-XK-0001。",
                    "Code “{value}” is malformed; expected region-department-letters-number, "
                    "e.g. 519900-SCJGJ-XK-0001."),
    "code.region": ("权力编码「{value}」的行政区划代码应为 {expected}（办理部门所在地）。",
                    "Code “{value}” must start with the department's region code {expected}."),
    "code.department": ("权力编码「{value}」的部门编码应为 {expected}（办理部门）。",
                        "Code “{value}” must carry the department code {expected}."),
    "code.category": ("权力编码「{value}」的类别字母应为 {expected}（{category}）。",
                      "Code “{value}” must carry the category letters {expected} ({category})."),
    "code.secret": ("权力编码「{value}」属于涉密事项，不能通过导入修改。",
                    "Code “{value}” belongs to a secret power, which import cannot change."),
    "code.open_request": ("权力编码「{value}」的事项有尚未办结的调整申请 #{change}，不能通过导入修改，"
                          "请待其公布、不予调整或撤回后再导入。",
                          "The power “{value}” has an open adjustment request #{change}; import cannot change it "
                          "until that request is published, rejected or withdrawn."),
    "code.status": ("权力编码「{value}」的事项当前状态为「{status}」，不能通过导入修改。",
                    "The power “{value}” is {status}; import cannot change it."),
    "power.department": ("事项「{value}」由{current}办理，不能改为{given}（部门调整请走动态调整）。",
                         "Power “{value}” belongs to {current}, not {given}; move it with an adjustment request."),
    "power.category": ("事项「{value}」的类别是{current}，不能改为{given}。",
                       "Power “{value}” is a {current}; it cannot become a {given}."),
    "bpmn.internal": ("内部流程图：{detail}", "Internal flowchart: {detail}"),
    "bpmn.not_executable": ("内部流程图不能执行。", "The internal flowchart cannot run."),
    "bpmn.external": ("外部流程图：{detail}", "External flowchart: {detail}"),
    "bpmn.more": ("流程图还有 {count} 个问题未列出。", "{count} more flowchart problems not listed."),
    "refused": ("未能发布：{detail}", "Not published: {detail}"),
    "internal": ("系统错误，该行未导入（详情已记入日志）。",
                 "System error: this row was not imported (details logged)."),
    "text.invisible": ("「{field}」含有不可见字符 {char}，请在文件中删除后重新导入。",
                       "“{field}” contains an invisible character, {char}: delete it in the file and import again."),
    "review.missing": ("本平台尚未部署目录审核流程（{power}），不能作为调整申请导入。",
                       "The catalog review process ({power}) is not installed, so nothing can be imported as "
                       "adjustment requests."),
    "row.two_requests": ("该行既修改内容又要{status}，这需要两个调整申请：请先导入内容的修改，待其公布后再导入状态。",
                         "This row changes the content and also asks to be {status}, which takes two adjustment "
                         "requests: import the content first and the status once that is published."),
    "approval.document": ("迁移导入须填写批准文件文号。",
                          "A migration import needs the approving document's reference."),
    "approval.approver": ("迁移导入须填写批准人。", "A migration import needs the name of whoever approved it."),
    "approval.too_long": ("「{field}」过长，最多 {limit} 个字。", "“{field}” is too long: at most {limit} characters."),
    "approval.invisible": ("「{field}」含有不可见字符 {char}，请删除后重新输入。",
                           "“{field}” contains an invisible character, {char}: delete it and type it again."),
}
_APPROVAL_LABELS = {"document": ("批准文件文号", "approving document"), "approver": ("批准人", "approver")}


def message(key: str, lang: str = "zh", **params: Any) -> str:
    """A message of this module in ``lang`` (zh or en)."""
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**params)


@dataclass(frozen=True)
class AcceptedRow:
    row: int
    code: str
    name: str
    action: str  # add | modify | unchanged (published by a migration), request (a review opened)
    #: The adjustment request the row opened (``request``) or published.
    change_id: int | None = None

    def action_label(self, lang: str = "zh") -> str:
        return ACTIONS[self.action][1 if lang == "en" else 0].format(change=self.change_id)


@dataclass(frozen=True)
class ThroughReview:
    """The import route of ordinary imports: every row an adjustment request with its review case on ``rt``."""

    rt: Runtime


def approval_problems(approval: Approval, lang: str = "zh") -> dict[str, str]:
    """What keeps ``approval`` from carrying a migration import, by field (``document``, ``approver``)."""
    lang = "en" if lang == "en" else "zh"
    out: dict[str, str] = {}
    for key, limit in APPROVAL_LIMITS.items():
        text = getattr(approval, key).strip()
        label = _APPROVAL_LABELS[key][1 if lang == "en" else 0]
        if not text:
            out[key] = message(f"approval.{key}", lang)
        elif len(text) > limit:
            out[key] = message("approval.too_long", lang, field=label, limit=limit)
        elif (found := invisible(text)) is not None:
            out[key] = message("approval.invisible", lang, field=label, char=found.describe(lang))
    return out


@dataclass(frozen=True)
class RejectedRow:
    row: int
    name: str
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    """What happened to each row; ``error`` instead when the file as a whole cannot be read."""

    accepted: list[AcceptedRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    error: str | None = None
    #: The approval of a migration import; None when every row went to review as an adjustment request.
    migration: Approval | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.rejected


class _FileError(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class _RowRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, Any] | None  # None: not an object at all


# ---------------------------------------------------------------------------------------------------------------
# Reading the file


def _read_rows(data: bytes, filename: str) -> list[_Row]:
    """The file's rows keyed by field key; raises ``_FileError`` for a file that cannot be read as a catalog."""
    if not data.strip():
        raise _FileError("file.empty")
    if len(data) > MAX_BYTES:
        raise _FileError("file.too_large", limit=MAX_BYTES // (1024 * 1024))
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise _FileError("file.xls")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"[") or name.endswith(".json"):
        return _json_rows(data)
    raise _FileError("file.type")


def _json_rows(data: bytes) -> list[_Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileError("json.encoding") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _FileError("json.syntax", line=exc.lineno, column=exc.colno, detail=exc.msg) from exc
    except (ValueError, RecursionError) as exc:  # e.g. absurdly deep nesting or a 5000-digit number
        raise _FileError("json.invalid", detail=str(exc)[:200]) from exc
    items = doc.get("powers") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise _FileError("json.shape")
    if not items:
        raise _FileError("file.no_rows")
    return [_Row(i, item if isinstance(item, dict) else None) for i, item in enumerate(items, start=1)]


_ZH_HEADERS = {f.zh: f.key for f in FIELDS} | {v: k for k, v in EXTRA_COLUMNS.items()} | {"部门编码": "department_code"}
_KEY_CELL = re.compile(r"^([a-z_]+)(?:\.(\d+))?$")
_ZH_CELL = re.compile(r"^(.+?)(?:（续(\d+)）)?$")


def _column_key(cell: Any, *, chinese: bool) -> tuple[str, int] | None:
    """``(key, part)`` for a header cell; long values continue in parts 2, 3… (``key.2`` / ``名称（续2）``)."""
    text = str(cell).strip() if cell is not None else ""
    if (m := _KEY_CELL.match(text)) and m.group(1) in KNOWN_KEYS:
        return m.group(1), int(m.group(2) or 1)
    if chinese and (m := _ZH_CELL.match(text)) and m.group(1) in _ZH_HEADERS:
        return _ZH_HEADERS[m.group(1)], int(m.group(2) or 1)
    return None


def _header(rows: list[tuple[Any, ...]], *, chinese: bool) -> dict[int, tuple[str, int]]:
    if not rows:
        return {}
    return {i: k for i, cell in enumerate(rows[0]) if (k := _column_key(cell, chinese=chinese))}


def _xlsx_rows(data: bytes) -> list[_Row]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _FileError("xlsx.invalid") from exc
    if inflated > MAX_UNZIPPED_BYTES:
        raise _FileError("file.too_large", limit=MAX_UNZIPPED_BYTES // (1024 * 1024))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors…)
        raise _FileError("xlsx.invalid") from exc
    try:
        sheet = workbook[CATALOG_SHEET] if CATALOG_SHEET in workbook.sheetnames else workbook.worksheets[0]
        return _sheet_rows(sheet)
    except _FileError:
        raise
    except Exception as exc:
        raise _FileError("xlsx.invalid") from exc
    finally:
        workbook.close()


def _sheet_rows(sheet: Any) -> list[_Row]:
    raw = sheet.iter_rows(values_only=True)
    top = [r for _, r in zip(range(2), raw, strict=False)]
    if not any(any(_present(c) for c in r) for r in top):
        raise _FileError("file.no_rows")
    # Prefer the row of field keys (what we export); a hand-made sheet may have Chinese headers only.
    by_key = _header(top[1:], chinese=False)
    if len(by_key) >= 2:
        columns, first, rest = by_key, 3, raw
    else:
        columns = _header(top, chinese=True)
        first, rest = 2, _chain(top[1:], raw)
        if len(columns) < 2:
            raise _FileError("xlsx.header", sheet=sheet.title)
    rows: list[_Row] = []
    for number, cells in enumerate(rest, start=first):
        if not any(_present(c) for c in cells):
            continue
        parts: dict[str, dict[int, Any]] = {}
        for i, (key, part) in columns.items():
            if i < len(cells) and _present(cells[i]):
                parts.setdefault(key, {})[part] = cells[i]
        values = {k: p[1] if list(p) == [1] else "".join(str(p[n]) for n in sorted(p)) for k, p in parts.items()}
        rows.append(_Row(number, values))
    if not rows:
        raise _FileError("file.no_rows")
    return rows


def _chain(first: list[tuple[Any, ...]], rest: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    yield from first
    yield from rest


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------------------------------
# Reading one row's values


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns phone numbers typed without a dash into numbers
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _structured(key: str, kind: str, text: str, lang: str) -> tuple[Any, str | None]:
    """A list/dict field written as text: JSON, or for convenience plain lines of law / kinds separated by 、."""
    try:
        return json.loads(text), None
    except (ValueError, RecursionError) as exc:
        if kind == "basis" and not text.lstrip().startswith(("[", "{")):
            return [{"law": line.strip()} for line in text.splitlines() if line.strip()], None
        if kind == "kinds" and not text.lstrip().startswith(("[", "{")):
            return [k.strip() for k in re.split(r"[、，,;；\n]", text) if k.strip()], None
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "too deep"
        return None, message("json_value", lang, field=FIELD_BY_KEY[key].label(lang), detail=detail)


@dataclass
class _Parsed:
    fields: dict[str, Any]
    reasons: list[str]
    category: str | None
    department: str | None
    department_code: str | None
    status: str | None
    internal_bpmn: str | None
    external_bpmn: str | None
    invalid: set[str] = field(default_factory=set)  # keys already reported as malformed


_CATEGORY_NAMES = {k: k for k in CATEGORIES} | {zh: k for k, (zh, _, _) in CATEGORIES.items()} | {
    en.lower(): k for k, (_, en, _) in CATEGORIES.items()}
_STATUS_NAMES = {"published": "published", "suspended": "suspended"} | {
    label: key for key, labels in STATUS_LABELS.items() for label in labels}


def _parse(values: dict[str, Any], lang: str) -> _Parsed:
    out = _Parsed({}, [], None, None, None, None, None, None)
    for key, raw in values.items():
        if key not in KNOWN_KEYS or not _present(raw):
            continue  # unknown keys (e.g. a JSON "exported_at") are ignored; empty means "no value"
        if key in OTHER_KEYS:
            text = _as_text(raw)
            if key == "status":
                out.status = _STATUS_NAMES.get(str(text).strip().lower(), _STATUS_NAMES.get(str(text).strip()))
                if out.status is None:
                    out.reasons.append(message("status.unknown", lang, value=text))
            elif key in ("internal_bpmn", "external_bpmn"):
                setattr(out, key, raw if isinstance(raw, str) else str(raw))
            elif key == "department_code":
                out.department_code = str(text)
            continue
        kind = FIELD_BY_KEY[key].kind
        label = FIELD_BY_KEY[key].label(lang)
        if key == "category":
            text = str(_as_text(raw))
            out.category = _CATEGORY_NAMES.get(text) or _CATEGORY_NAMES.get(text.lower())
            if out.category is None:
                out.reasons.append(message("category.unknown", lang, value=text))
        elif key == "department":
            out.department = str(_as_text(raw))
        elif kind == "int":
            number = _as_int(raw)
            if number is None:
                out.reasons.append(message("integer", lang, field=label, value=raw))
                out.invalid.add(key)
            else:
                out.fields[key] = number
        elif kind in TEXT_KINDS:
            out.fields[key] = _as_text(raw)
        elif kind == "bool":
            flag = {"是": True, "否": False, "true": True, "false": False}.get(str(raw).strip().lower())
            out.fields[key] = raw if isinstance(raw, bool) else flag if flag is not None else raw
        elif isinstance(raw, str):
            value, problem = _structured(key, kind, raw, lang)
            if problem:
                out.reasons.append(problem)
                out.invalid.add(key)
            else:
                out.fields[key] = value
        else:
            out.fields[key] = raw
    return out


# ---------------------------------------------------------------------------------------------------------------
# Importing


@dataclass
class _Context:
    session: Session
    actor: str
    forms: FormRegistry
    lang: str
    filename: str
    by_code: dict[str, Department]
    by_name: dict[str, list[Department]]
    route: ThroughReview | Approval


def import_catalog(session: Session, data: bytes, filename: str, *, actor: str, forms: FormRegistry,
                   route: ThroughReview | Approval, lang: str = "zh",
                   progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Validate and import every row of a JSON or .xlsx catalog file by ``route``; the caller commits.

    An ``Approval`` with problems (``approval_problems``) imports nothing: the report's ``error`` says why.
    """
    lang = "en" if lang == "en" else "zh"
    report = ImportReport(migration=route if isinstance(route, Approval) else None)
    if isinstance(route, Approval):
        if problems := approval_problems(route, lang):
            report.error = " ".join(problems.values())
            return report
        route = Approval(route.document.strip(), route.approver.strip())
        report.migration = route
    filename = displayable(filename)[:200]  # it goes into each request's trigger and reason
    try:
        rows = _read_rows(data, filename)
    except _FileError as exc:
        report.error = message(exc.key, lang, **exc.params)
        return report
    if isinstance(route, ThroughReview) and session.execute(
            select(Power.id).where(Power.code == REVIEW_POWER)).first() is None:
        report.error = message("review.missing", lang, power=REVIEW_POWER)
        return report
    departments = list(session.execute(select(Department)).scalars())
    by_name: dict[str, list[Department]] = {}
    for d in departments:
        by_name.setdefault(d.name, []).append(d)
    ctx = _Context(session, actor, forms, lang, filename, {d.code: d for d in departments}, by_name, route)
    if progress:
        progress(0, len(rows))
    for done, row in enumerate(rows, start=1):
        outcome = _import_row(ctx, row)
        if isinstance(outcome, AcceptedRow):
            report.accepted.append(outcome)
        else:  # shown on a page: text the row held that no page can show is replaced
            report.rejected.append(RejectedRow(outcome.row, displayable(outcome.name),
                                               tuple(map(displayable, outcome.reasons))))
        if progress:
            progress(done, len(rows))
    payload: dict[str, Any] = {"file": filename, "route": "migration" if report.migration else "review",
                               "accepted": len(report.accepted), "rejected": len(report.rejected)}
    if report.migration is not None:
        payload |= {"approval_document": report.migration.document, "approved_by": report.migration.approver}
    audit.record(session, actor, "catalog.import", payload=payload)
    return report


def displayable(text: str) -> str:
    """``text`` with every character a reader cannot see (or a page cannot hold) replaced by U+FFFD."""
    if invisible(text, multiline=True) is None:
        return text
    return "".join("\ufffd" if invisible(c, multiline=True) else c for c in text)


_BROKEN = re.compile(r"[\x00\ud800-\udfff]")


def _unseen_reasons(values: dict[str, Any], lang: str) -> list[str]:
    """A reason for each field of a row whose text holds a character its readers cannot see (``plain_text``):
    names, codes, telephone numbers and links as single lines; long texts and structured fields with their line
    breaks; flowcharts only for what no XML text can hold (NUL, a lone surrogate)."""
    out = []
    for key, raw in values.items():
        if key not in KNOWN_KEYS:
            continue
        spec = FIELD_BY_KEY.get(key)
        single = key in OTHER_KEYS - {"internal_bpmn", "external_bpmn"} or (
            spec is not None and spec.kind in ("text", "url", "phone"))
        for text in _strings(raw):
            if key in ("internal_bpmn", "external_bpmn"):
                bad = _BROKEN.search(text)
                found = Invisible(bad.group()) if bad else None
            else:
                found = invisible(text, multiline=not single)
            if found is not None:
                label = spec.label(lang) if spec is not None else EXTRA_COLUMNS.get(key, key)
                out.append(message("text.invisible", lang, field=label, char=found.describe(lang)))
                break
    return out


def _strings(value: Any) -> Iterator[str]:
    """Every text inside a cell or JSON value (structured fields hold lists of objects)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def _resolve_department(ctx: _Context, parsed: _Parsed, code_parts: tuple[str, ...] | None,
                        reasons: list[str]) -> Department | None:
    if parsed.department_code:
        dept = ctx.by_code.get(parsed.department_code)
        if dept is None:
            reasons.append(message("department.unknown", ctx.lang, value=parsed.department_code))
        elif parsed.department and parsed.department not in (dept.name, dept.code):
            # Someone edited one of the two columns: which one they meant is a guess we do not make.
            reasons.append(message("department.conflict", ctx.lang, value=parsed.department, code=dept.code,
                                   name=dept.name))
            return None
        return dept
    if parsed.department:
        named = ctx.by_name.get(parsed.department, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            reasons.append(message("department.ambiguous", ctx.lang, value=parsed.department))
            return None
        if parsed.department in ctx.by_code:
            return ctx.by_code[parsed.department]
        reasons.append(message("department.unknown", ctx.lang, value=parsed.department))
        return None
    if code_parts and code_parts[1] in ctx.by_code:
        return ctx.by_code[code_parts[1]]
    return None


def _identity(power_name: str, code: str, category: str, dept: Department) -> dict[str, Any]:
    """The fields ``open_change`` fills for a new power; old powers without a snapshot get them too."""
    return {"name": power_name, "code": code, "category": category, "department": dept.name,
            "implementing_body": dept.name}


def _bpmn_reasons(problems: list[Any], key: str, lang: str) -> list[str]:
    errors = [p for p in problems if p.is_error]
    out = [message(key, lang, detail=format_problem(p, lang)) for p in errors[:MAX_BPMN_REASONS]]
    if len(errors) > MAX_BPMN_REASONS:
        out.append(message("bpmn.more", lang, count=len(errors) - MAX_BPMN_REASONS))
    return out


def _import_row(ctx: _Context, row: _Row) -> AcceptedRow | RejectedRow:
    lang, session = ctx.lang, ctx.session
    if row.values is None:
        return RejectedRow(row.number, "", (message("row.not_object", lang),))
    parsed = _parse(row.values, lang)
    reasons = [*_unseen_reasons(row.values, lang), *parsed.reasons]
    name = str(parsed.fields.get("name") or "").strip()
    code = str(row.values.get("code") or "").strip()
    code_parts: tuple[str, ...] | None = None
    if code:
        m = CODE_RE.match(code)
        code_parts = m.groups() if m else None
    existing = session.execute(select(Power).where(Power.code == code)).scalar_one_or_none() if code else None
    dept = _resolve_department(ctx, parsed, code_parts, reasons)
    category = parsed.category
    current = None
    if existing is not None:
        current = latest_version(session, existing.id)
        name = name or existing.name
        if existing.secret:
            return RejectedRow(row.number, name, (message("code.secret", lang, value=code),))
        if existing.status not in STATUS_LABELS:
            reasons.append(message("code.status", lang, value=code, status=existing.status))
        if (pending := open_request(session, existing.id)) is not None:
            # Publishing the row would overwrite what that request is still drafting, and its later publication
            # would overwrite the row; open_change refuses it too, this only says so with the row's other reasons.
            reasons.append(message("code.open_request", lang, value=code, change=pending.id))
        if dept is not None and dept.id != existing.department_id:
            reasons.append(message("power.department", lang, value=code, current=existing.department.name,
                                   given=dept.name))
        if category is not None and category != existing.category:
            reasons.append(message("power.category", lang, value=code, current=CATEGORIES[existing.category][0],
                                   given=CATEGORIES[category][0]))
        dept, category = existing.department, existing.category
    else:
        if dept is None and not parsed.department and not parsed.department_code:
            reasons.append(message("missing", lang, field=FIELD_BY_KEY["department"].label(lang)))
        if category is None and not _present(row.values.get("category")):
            reasons.append(message("missing", lang, field=FIELD_BY_KEY["category"].label(lang)))
        if code and code_parts is None:
            reasons.append(message("code.format", lang, value=code))
        elif code_parts and dept is not None and category is not None:
            region, dept_code, letters, _ = code_parts
            if region != dept.region.code:
                reasons.append(message("code.region", lang, value=code, expected=dept.region.code))
            if dept_code != dept.code:
                reasons.append(message("code.department", lang, value=code, expected=dept.code))
            if letters != CATEGORIES[category][2]:
                reasons.append(message("code.category", lang, value=code, expected=CATEGORIES[category][2],
                                       category=CATEGORIES[category][0]))

    base: dict[str, Any] = dict(current.fields) if current else {}
    if dept is not None and category is not None:
        base = _identity(name or "", existing.code if existing else code or "-", category, dept) | base
    merged = base | parsed.fields
    internal = parsed.internal_bpmn if parsed.internal_bpmn is not None else (
        current.internal_bpmn if current else None)
    external = parsed.external_bpmn if parsed.external_bpmn is not None else (
        current.external_bpmn if current else None)
    if existing is not None and current is None and parsed.internal_bpmn is None and existing.process_key:
        deployed = latest_process(session, existing.process_key)
        internal = deployed.bpmn_xml if deployed else None

    promised, legal = merged.get("promised_limit_days"), merged.get("legal_limit_days")
    if isinstance(promised, int) and isinstance(legal, int) and legal and promised > legal:
        reasons.append(message("exceeds_legal", lang, promised=promised, legal=legal))
        promised = legal = None  # said once; the flowchart check would only repeat it
    if category is not None:
        for key in missing_fields(category, merged, has_external_flowchart=bool(external)):
            if key in ("department", "category", "implementing_body" if dept is None else "") or (
                    key in parsed.invalid or (key == "code" and existing is None)):
                continue  # reported above, or filled in by open_change from the department
            label = FIELD_BY_KEY[key].label(lang) if key in FIELD_BY_KEY else (
                "外部流程图" if lang == "zh" else "external flowchart")
            reasons.append(message("missing", lang, field=label))
    if not internal:
        reasons.append(message("missing", lang, field="内部流程图" if lang == "zh" else "internal flowchart"))
    elif dept is not None:
        report = internal_report(session, dept.id, internal.encode("utf-8"), forms=ctx.forms, lang=lang,
                                 fields={"promised_limit_days": promised, "legal_limit_days": legal})
        if not report.ok:
            reasons.extend(_bpmn_reasons(report.problems, "bpmn.internal", lang)
                           or [message("bpmn.not_executable", lang)])
    if parsed.external_bpmn:
        # A descriptive drawing need not run, but it must be readable and drawable.
        bad = lint_external(parsed.external_bpmn.encode("utf-8"), lang=lang)
        reasons.extend(_bpmn_reasons(bad, "bpmn.external", lang))
    if reasons or dept is None or category is None:
        return RejectedRow(row.number, name, tuple(dict.fromkeys(reasons)) or (message("internal", lang),))

    target = parsed.status or (existing.status if existing else "published")
    fields_changed = existing is None or merged != (current.fields if current else None) or (
        internal != (current.internal_bpmn if current else None)) or (
        external != (current.external_bpmn if current else None))
    if existing is not None and not fields_changed and target == existing.status:
        return AcceptedRow(row.number, existing.code, existing.name, "unchanged")
    reviewed = isinstance(ctx.route, ThroughReview)
    if reviewed and fields_changed and target != (existing.status if existing else "published"):
        status = STATUS_LABELS[target][1 if lang == "en" else 0].lower()
        return RejectedRow(row.number, name, (message("row.two_requests", lang, status=status),))
    try:
        with session.begin_nested():
            power, change = _write(ctx, row, parsed, existing, dept, category, name, code, internal, external,
                                   fields_changed, target)
    except _RowRefused as exc:
        return RejectedRow(row.number, name, tuple(dict.fromkeys(exc.reasons)))
    except RuntimeProblem as exc:
        detail = exc.message(lang) + "".join(f"（{k}: {v}）" for k, v in exc.fields.items())
        return RejectedRow(row.number, name, (message("refused", lang, detail=detail),))
    except Exception:  # one row's surprise must not lose the others; the operator finds it in the log
        log.exception("catalog import: row %s of %s failed", row.number, ctx.filename)
        return RejectedRow(row.number, name, (message("internal", lang),))
    if reviewed:
        return AcceptedRow(row.number, power.code, power.name, "request", change.id)
    return AcceptedRow(row.number, power.code, power.name, "modify" if existing else "add", change.id)


def _write(ctx: _Context, row: _Row, parsed: _Parsed, existing: Power | None, dept: Department, category: str,
           name: str, code: str, internal: str | None, external: str | None, fields_changed: bool,
           target: str) -> tuple[Power, CatalogChange]:
    """Open and fill the change for one row, then start its review or (a migration) publish it, with the status
    change a migration row also asks for; raises to roll the row's savepoint back."""
    session, lang, route = ctx.session, ctx.lang, ctx.route
    if isinstance(route, Approval):
        trigger = Trigger("other", route.document, None)
        reason = (f"迁移导入目录文件 {ctx.filename} 第 {row.number} 行"
                  f"（批准文件 {route.document}，批准人 {route.approver}）")
    else:
        trigger = Trigger("other", f"目录导入：{ctx.filename}"[:300], None)
        reason = f"导入目录文件 {ctx.filename} 第 {row.number} 行"

    def in_force(change: CatalogChange) -> CatalogChange:
        if isinstance(route, Approval):
            publish(session, change, actor=ctx.actor, forms=ctx.forms, approval=route)
        else:
            start_review(route.rt, session, change, actor=ctx.actor, trigger=trigger)
        return change

    def put_in_force(kind: str, power: Power) -> CatalogChange:
        return in_force(open_change(session, kind, department=dept, actor=ctx.actor, reason=reason,
                                    trigger=trigger, power=power))

    if existing is None:
        if code:
            _prepare_number(session, dept, category, code)
        change = open_change(session, "add", department=dept, actor=ctx.actor, reason=reason, trigger=trigger,
                             category=category, name=name)
        power = change.power
        if code and power.code != code:
            _take_code(ctx, change, power, code)
    else:
        power = existing
        if not fields_changed:
            return power, put_in_force("suspend" if target == "suspended" else "resume", power)
        change = open_change(session, "modify", department=dept, actor=ctx.actor, reason=reason, trigger=trigger,
                             power=power)
        # A power set up before the catalog existed has no snapshot to start from.
        change.fields = _identity(power.name, power.code, category, dept) | dict(change.fields)
    problems = update_fields(session, change, parsed.fields, actor=ctx.actor)
    if problems:
        raise _RowRefused([message(f"shape.{p}" if f"shape.{p}" in MESSAGES else "shape.other", lang,
                                   field=FIELD_BY_KEY[k].label(lang)) if p != "exceeds_legal" else
                           message("exceeds_legal", lang, promised=change.fields.get("promised_limit_days"),
                                   legal=change.fields.get("legal_limit_days")) for k, p in problems.items()])
    for which, text in (("internal", internal), ("external", external)):
        if text and getattr(change, f"{which}_bpmn") != text:
            attach_flowchart(session, change, which, text.encode("utf-8"), actor=ctx.actor, forms=ctx.forms,
                             lang=lang)
    in_force(change)
    if target == "suspended" and isinstance(route, Approval):  # a review route refused such a row above
        put_in_force("suspend", power)
    return power, change


def _counter_scope(dept: Department, category: str) -> str:
    return f"power:{dept.code}:{CATEGORIES[category][2]}"  # the scope engine.catalog.coding numbers in


def _prepare_number(session: Session, dept: Department, category: str, code: str) -> None:
    """Move the code counter so ``open_change`` hands out exactly the imported code's number when it can."""
    number = int(code.rsplit("-", 1)[1])
    counter = session.get(Counter, _counter_scope(dept, category))
    if counter is None:
        session.add(Counter(scope=_counter_scope(dept, category), value=number - 1))
        session.flush()
    elif counter.value < number - 1:
        counter.value = number - 1
        session.flush()


def _take_code(ctx: _Context, change: CatalogChange, power: Power, code: str) -> None:
    """The counter had already passed the imported number (rows out of order): keep the imported code anyway."""
    generated = power.code
    power.code, power.sequence = code, int(code.rsplit("-", 1)[1])
    change.fields = dict(change.fields) | {"code": code}
    ctx.session.flush()
    audit.record(ctx.session, ctx.actor, "catalog.import.code",
                 payload={"change": change.id, "generated": generated, "code": code})
