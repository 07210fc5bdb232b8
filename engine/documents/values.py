"""What a template is filled with: the case's fields, the values its steps submitted, the missing materials.

Step values come from the finished steps' records (the newest value of each field wins) and, when a document is
issued at an open step, from what is typed in that step's form right now (``current``), so a 补正 notice lists
what the clerk is marking missing before the step is submitted. A choice prints as its title (罚款, not
``fine``), a date as 2026年12月4日.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.forms import Field, FormRegistry
from engine.runtime.stepforms import form_names
from engine.store import Case, Department, StepRecord
from engine.store.documents import Document

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

#: Yes/no fields of a 受理 form whose name starts so are the material checklist: "no" means missing.
MATERIAL_PREFIX = "material_"
#: The free-text list of what to supplement (一次性告知) on the licence's 受理 form.
SUPPLEMENT_LIST = "supplement_list"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def chinese_date(value: date | datetime) -> str:
    day = clock.local(value).date() if isinstance(value, datetime) else value
    return f"{day.year}年{day.month}月{day.day}日"


def form_fields(forms: FormRegistry) -> dict[str, Field]:
    """Every field of every form in the registry's directory, by name (the first form naming it wins)."""
    out: dict[str, Field] = {}
    for path in sorted(forms.directory.glob("*.json")):
        if path.name.endswith(".uischema.json"):
            continue
        try:
            form = forms.get(path.name)
        except ValueError:
            continue
        for f in form.fields if form is not None else []:
            out.setdefault(f.name, f)
    return out


def case_form_fields(rt: Runtime, case: Case) -> dict[str, Field]:
    """The fields of the forms the case's own flowchart uses, by name (two powers may both name a field
    ``material_application``, each with its own title)."""
    parsed = rt.codec.parsed_id(case.process_version_id, lambda: case.process_version)
    out: dict[str, Field] = {}
    for name in form_names([parsed.spec, *parsed.subprocess_specs.values()]).values():
        try:
            form = rt.forms.get(name)
        except ValueError:
            continue
        for f in form.fields if form is not None else []:
            out.setdefault(f.name, f)
    return out


def _shown(f: Field | None, value: Any) -> Any:
    if f is not None and f.kind == "choice":
        return next((title for v, title in f.choices if v == str(value)), value)
    if isinstance(value, str) and (m := _ISO_DATE.match(value.strip())):
        try:
            return chinese_date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return value
    return value


def step_values(session: Session, case_id: int, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Raw step values: each field's newest value over the case's finished steps, then ``current`` on top."""
    out: dict[str, Any] = {}
    for (data,) in session.execute(select(StepRecord.data).where(StepRecord.case_id == case_id)
                                   .order_by(StepRecord.id)):
        out.update({k: v for k, v in (data or {}).items() if v not in (None, "")})
    out.update({k: v for k, v in (current or {}).items() if k != "csrf" and v not in (None, "")})
    return out


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def missing_materials(raw: Mapping[str, Any], fields: Mapping[str, Field]) -> list[str]:
    """The checklist's materials answered "no", then each line of the supplement list not already named."""
    out = [fields[name].title if name in fields else name for name, value in raw.items()
           if name.startswith(MATERIAL_PREFIX) and _truthy(value) is False]
    listed = str(raw.get(SUPPLEMENT_LIST) or "")
    for line in re.split(r"[\n；;]+", listed):
        item = re.sub(r"^\s*(\d+[.、．)）]|[-•·])\s*", "", line).strip()
        if item and item not in out:
            out.append(item)
    return out


def case_values(session: Session, case: Case, department: Department, fields: Mapping[str, Field], *,
                current: Mapping[str, Any] | None = None, number: str = "", issued_at: datetime,
                replaces: Document | None = None, reason: str | None = None) -> dict[str, Any]:
    """Placeholder name → value for a document of ``case``."""
    raw = step_values(session, case.id, current)
    issued = session.execute(select(Document.title, Document.number).where(Document.case_id == case.id)
                             .order_by(Document.id)).all()
    values: dict[str, Any] = {name: _shown(fields.get(name), value) for name, value in raw.items()}
    values.update({
        "文号": number, "发文机关": department.name, "签发日期": chinese_date(issued_at),
        "办件编号": case.serial, "事项名称": case.power.name, "权力编码": case.power.code,
        "办件事由": case.subject, "申请人": case.applicant_name, "当事人": case.applicant_name,
        "证件类型": case.applicant_id_type, "证件号码": case.applicant_id_number, "联系电话": case.applicant_contact,
        "受理日期": chinese_date(case.created_at),
        "承诺办结日期": chinese_date(case.promised_due_at) if case.promised_due_at else None,
        "法定办结日期": chinese_date(case.legal_due_at) if case.legal_due_at else None,
        "缺少材料": missing_materials(raw, fields),
        "送达文书": [f"{title}（{num}）" for title, num in issued],
        "原文号": replaces.number if replaces is not None else None,
        "更正理由": reason,
    })
    return values
