"""Drafting an adjustment request: open it, edit its fields, attach its flowcharts, check it is ready."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.bpmn import parse_xml
from engine.bpmn.parser import check_root
from engine.bpmn.problems import BpmnError, BpmnProblem, CheckReport, make_problem
from engine.catalog.coding import next_code
from engine.catalog.fields import CATEGORIES, FIELD_BY_KEY, missing_fields
from engine.catalog.lint import internal_report, lint_for_department
from engine.forms import FormRegistry
from engine.plain_text import invisible
from engine.runtime.errors import RuntimeProblem
from engine.store import CatalogChange, Department, Power, PowerVersion

KINDS = ("add", "modify", "cancel", "suspend", "resume")
#: The longest time limit (working days) a power may state.
MAX_LIMIT_DAYS = 2500
TRIGGERS = ("law", "normative", "reorganisation", "unused", "other")
#: The request is with the drafting department: it may edit it, submit it or withdraw it (撤回).
EDITABLE = ("draft", "returned")
#: A request in any other status (draft, submitted, returned, under_approval, approved) is still open.
CLOSED = ("published", "rejected", "withdrawn")
#: The WHERE clause for requests still open.
IS_OPEN = CatalogChange.status.not_in(CLOSED)
#: No law or reorganisation of this government's catalog predates the People's Republic: an earlier
#: publication date is a typing error (e.g. 0202 for 2026), not a trigger.
EARLIEST_TRIGGER = date(1949, 10, 1)

KIND_LABELS = {"add": ("增加", "add"), "modify": ("变更", "modify"), "cancel": ("取消", "cancel"),
               "suspend": ("暂停", "suspend"), "resume": ("恢复", "resume")}
OPEN_STATUS_LABELS = {"draft": ("草稿", "draft"),
                      "submitted": ("已提交，待法制审核", "submitted, awaiting legal review"),
                      "returned": ("已退回修改", "returned for changes"),
                      "under_approval": ("待政府审定", "awaiting the government's decision"),
                      "approved": ("已审定，待公布", "approved, awaiting publication")}


def _label(labels: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = labels.get(key, (key, key))
    return en if lang == "en" else zh


class OpenRequestExists(RuntimeProblem):
    """A power already has an open adjustment request; ``change_id`` names it so the page can link to it."""

    def __init__(self, change: CatalogChange) -> None:
        self.change_id, self.kind, self.status = change.id, change.kind, change.status
        super().__init__("catalog.open_request", change=change.id)

    def message(self, lang: str = "zh") -> str:
        """The refusal in ``lang`` (zh or en), naming the open request."""
        kind, status = _label(KIND_LABELS, self.kind, lang), _label(OPEN_STATUS_LABELS, self.status, lang)
        if lang == "en":
            return (f"This power already has an open adjustment request #{self.change_id} ({kind}, {status}). "
                    "A power can have only one open request at a time: continue with that one, or wait until it "
                    "is published, rejected or withdrawn.")
        return (f"该事项已有尚未办结的调整申请 #{self.change_id}（{kind}，{status}）。同一事项同时只能有一个"
                "调整申请：请在该申请中继续办理，或待其公布、不予调整或撤回后再提出。")


@dataclass(frozen=True)
class Trigger:
    """Why the catalog changes: a law or normative document, a reorganisation, long disuse…"""

    kind: str
    document: str
    published_on: date | None


def latest_version(session: Session, power_id: int) -> PowerVersion | None:
    """The newest published snapshot of a power."""
    return session.execute(select(PowerVersion).where(PowerVersion.power_id == power_id)
                           .order_by(PowerVersion.number.desc()).limit(1)).scalar_one_or_none()


def open_request(session: Session, power_id: int) -> CatalogChange | None:
    """The power's adjustment request that is not yet published, rejected or withdrawn, if any."""
    return session.execute(select(CatalogChange).where(CatalogChange.power_id == power_id, IS_OPEN)
                           .order_by(CatalogChange.id).limit(1)).scalar_one_or_none()


def trigger_date_problem(published_on: date | None) -> str | None:
    """``future`` or ``too_old`` for a publication date the application deadline cannot count from, else None.

    The 20 working days to apply run from this date (seed 003): a date to come would push the deadline out of
    reach of supervision. "Today" is the Beijing date, as the law counts days.
    """
    if published_on is None:
        return None
    if published_on > clock.local(clock.now()).date():
        return "future"
    if published_on < EARLIEST_TRIGGER:
        return "too_old"
    return None


def _refuse_second_request(session: Session, power: Power) -> None:
    # Two open requests for one power would each publish over the other. The check and the insert that follows
    # must not interleave with another request for the same power. On PostgreSQL the power row is locked first,
    # so a concurrent request waits here until ours commits and then, under READ COMMITTED, its query sees ours.
    # FOR NO KEY UPDATE rather than FOR UPDATE: starting a case of the power takes KEY SHARE on this row (the
    # foreign key) and must not wait for us. SQLite ignores the clause: every writer there already holds the
    # database's write lock from BEGIN IMMEDIATE (engine.db), which serialises the same check just as well.
    session.execute(select(Power.id).where(Power.id == power.id).with_for_update(key_share=True))
    pending = open_request(session, power.id)
    if pending is not None:
        raise OpenRequestExists(pending)


def open_change(session: Session, kind: str, *, department: Department, actor: str, reason: str,
                trigger: Trigger, power: Power | None = None, category: str | None = None,
                name: str | None = None, secret: bool = False) -> CatalogChange:
    """Start an adjustment; ``add`` creates the power as a draft with its code, the others name a power.

    Raises :class:`OpenRequestExists` when the power already has an open request, and ``catalog.invalid`` with
    field codes (``required``, ``unknown``, ``future``, ``too_old``) for what is missing or wrong.
    """
    if kind != "add" and power is not None:
        _refuse_second_request(session, power)
    problems: dict[str, str] = {}
    if date_problem := trigger_date_problem(trigger.published_on):
        problems["trigger_published_on"] = date_problem
    if kind not in KINDS:
        problems["kind"] = "unknown"
    if trigger.kind not in TRIGGERS:
        problems["trigger_kind"] = "unknown"
    if not reason.strip():
        problems["reason"] = "required"
    if kind == "add" and (category not in CATEGORIES or not (name or "").strip()):
        problems.update({k: "required" for k, v in (("category", category in CATEGORIES), ("name", name)) if not v})
    elif kind == "add" and name and invisible(name.strip()):  # a power's name is listed everywhere (plain_text)
        problems["name"] = "invisible"
    if kind != "add" and power is None:
        problems["power"] = "required"
    if problems:
        raise RuntimeProblem("catalog.invalid", fields=problems)
    now = clock.now()
    fields: dict[str, Any] = {}
    internal = external = None
    if kind == "add":
        assert category is not None and name is not None
        code, number = next_code(session, department, category)
        power = Power(code=code, name=name.strip(), category=category, department_id=department.id,
                      status="draft", secret=secret, sequence=number)
        session.add(power)
        session.flush()
        fields = {"name": power.name, "code": code, "category": category, "department": department.name,
                  "implementing_body": department.name}
    else:
        assert power is not None
        current = latest_version(session, power.id)
        if current is not None:
            fields, internal, external = dict(current.fields), current.internal_bpmn, current.external_bpmn
    assert power is not None
    change = CatalogChange(kind=kind, power_id=power.id, department_id=department.id, status="draft",
                           reason=reason.strip(), trigger_kind=trigger.kind, trigger_document=trigger.document.strip(),
                           trigger_published_on=trigger.published_on, fields=fields, internal_bpmn=internal,
                           external_bpmn=external, created_by=actor, created_at=now, updated_at=now)
    session.add(change)
    session.flush()
    audit.record(session, actor, f"catalog.open.{kind}",
                 payload={"change": change.id, "power": power.code, "reason": change.reason,
                          "trigger": [trigger.kind, trigger.document, trigger.published_on]}, at=now)
    return change


def _check_value(key: str, value: Any) -> str | None:
    kind = FIELD_BY_KEY[key].kind
    if kind == "int":
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return "integer"
        # A limit is counted out on the calendar and stored in an INTEGER column: ten years of working days is
        # more than any law grants (and what model code's workdays() accepts).
        return "days" if value > MAX_LIMIT_DAYS else None
    if kind in ("text", "longtext", "url", "phone"):
        if not isinstance(value, str):
            return "text"
        if invisible(value, multiline=kind == "longtext"):  # nothing a reader cannot see (engine/plain_text.py)
            return "invisible"
        if kind == "url" and value and not value.startswith(("http://", "https://")):
            return "url"
        return None
    if kind == "fees":
        return None if isinstance(value, dict) and isinstance(value.get("charged"), bool) else "fees"
    if kind == "discretion":
        if not isinstance(value, list):
            return "list"
        for row in value:
            lo, hi = row.get("min_amount"), row.get("max_amount")
            if not isinstance(row, dict) or not row.get("level"):
                return "discretion"
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lo, hi)) or lo > hi:
                return "range"
        return None
    return None if isinstance(value, (list, dict)) else "list"


def update_fields(session: Session, change: CatalogChange, values: dict[str, Any], *, actor: str) -> dict[str, str]:
    """Merge edited fields into the draft; returns field → problem code for values of the wrong shape."""
    if change.status not in EDITABLE:
        raise RuntimeProblem("catalog.not_editable")
    errors: dict[str, str] = {}
    merged = dict(change.fields)
    for key, value in values.items():
        if key not in FIELD_BY_KEY or key in ("code", "category", "department"):
            continue
        problem = _check_value(key, value)
        if problem:
            errors[key] = problem
        else:
            merged[key] = value
    lim_p, lim_l = merged.get("promised_limit_days"), merged.get("legal_limit_days")
    if isinstance(lim_p, int) and isinstance(lim_l, int) and lim_l and lim_p > lim_l:
        errors["promised_limit_days"] = "exceeds_legal"
    change.fields = merged
    change.updated_at = clock.now()
    audit.record(session, actor, "catalog.edit", payload={"change": change.id, "fields": sorted(values)})
    return errors


def check_internal(session: Session, change: CatalogChange, forms: FormRegistry, lang: str = "zh") -> CheckReport:
    """Lint the draft's internal flowchart against the department's posts, forms and the draft's limits."""
    return internal_report(session, change.department_id, (change.internal_bpmn or "").encode(), forms=forms,
                           lang=lang, fields=change.fields)


@dataclass(frozen=True)
class Attached:
    """What became of an uploaded or drawn flowchart: ``stored`` or not, and the located problems either way."""

    stored: bool
    problems: list[BpmnProblem]


_BOM_CODECS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_DECLARED_ENCODING = re.compile(r"""\A(<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])([^"']*)\2""")


def flowchart_text(data: bytes, filename: str, *, lang: str = "zh") -> str:
    """The uploaded BPMN as text whose UTF-8 bytes read as the same document; BpmnError with located problems else.

    Everything downstream (deploy, the modeler, the hall, export) reads the stored text as UTF-8, so a file saved
    as UTF-16 or with a byte-order mark is decoded and its XML declaration says UTF-8 from then on.
    """
    tree = parse_xml(data, filename, lang=lang)
    refused = check_root(tree.getroot(), lang)
    if refused:
        raise BpmnError(refused)
    codec = next((c for bom, c in _BOM_CODECS if data.startswith(bom)), None) or tree.docinfo.encoding or "utf-8"
    try:
        text = data.decode(codec).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise BpmnError([make_problem("xml.encoding", lang, line=1, detail=f"{codec}: {exc}")]) from None
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared[3].strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        text = f"{declared[1]}{declared[2]}UTF-8{declared[2]}{text[declared.end():]}"
    parse_xml(text.encode("utf-8"), filename, lang=lang)  # exactly what the rest of the platform will read
    return text


def store_flowchart(session: Session, change: CatalogChange, which: str, data: bytes, *, actor: str,
                    forms: FormRegistry, lang: str = "zh") -> Attached:
    """Store an uploaded or drawn flowchart (kept even with problems, so nothing is lost) and report on it.

    A file that is not readable BPMN XML (empty, binary, a DOCTYPE, not XML, another XML vocabulary) is not
    stored: the previous flowchart stays and ``problems`` says why.
    """
    if change.status not in EDITABLE:
        raise RuntimeProblem("catalog.not_editable")
    if which not in ("internal", "external"):
        raise RuntimeProblem("catalog.invalid", fields={"which": "unknown"})
    try:
        text = flowchart_text(data, f"{which}.bpmn", lang=lang)
    except BpmnError as exc:
        return Attached(False, exc.problems)
    if which == "internal":
        change.internal_bpmn = text
        problems = check_internal(session, change, forms, lang).problems
    else:
        change.external_bpmn = text
        problems = lint_for_department(session, change.department_id, "external", text.encode("utf-8"),
                                       forms=forms, lang=lang)
    change.updated_at = clock.now()
    audit.record(session, actor, f"catalog.attach.{which}", payload={"change": change.id, "bytes": len(data)})
    return Attached(True, problems)


def attach_flowchart(session: Session, change: CatalogChange, which: str, data: bytes, *, actor: str,
                     forms: FormRegistry, lang: str = "zh") -> list[BpmnProblem]:
    """:func:`store_flowchart`, reporting only the problems."""
    return store_flowchart(session, change, which, data, actor=actor, forms=forms, lang=lang).problems


def readiness(session: Session, change: CatalogChange, forms: FormRegistry, lang: str = "zh") -> list[str]:
    """What still stops submission, in words: missing public fields, an invalid internal flowchart."""
    out: list[str] = []
    if change.kind in ("add", "modify"):
        power = session.get(Power, change.power_id)
        assert power is not None
        for key in missing_fields(power.category, change.fields, has_external_flowchart=bool(change.external_bpmn)):
            label = FIELD_BY_KEY[key].label(lang) if key in FIELD_BY_KEY else (
                "外部流程图" if lang == "zh" else "external flowchart")
            out.append(("缺少：" if lang == "zh" else "Missing: ") + label)
        if not change.internal_bpmn:
            out.append("缺少：内部流程图" if lang == "zh" else "Missing: internal flowchart")
        else:
            report = check_internal(session, change, forms, lang)
            if not report.ok:
                out.extend(f"内部流程图：{p.message}" if lang == "zh" else f"Internal flowchart: {p.message}"
                           for p in report.errors)
    if not change.reason.strip():
        out.append("缺少：调整理由" if lang == "zh" else "Missing: reason")
    return out

