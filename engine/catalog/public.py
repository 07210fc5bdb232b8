"""What the public hall may show of the catalog: lists, counts, one power's page, its flowcharts.

Only powers with a published snapshot appear; secret (涉密) powers never do, whatever their status. A suspended
power stays visible with a notice so applicants learn why they cannot apply; draft and cancelled ones are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.catalog import search as fulltext
from engine.catalog.fields import CATEGORIES, FIELDS, FieldDef
from engine.store import Department, Power, PowerVersion

VISIBLE = ("published", "suspended")
# Link targets we are willing to render: a stored "javascript:" URL must never become a link.
SAFE_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class PublicPowerRow:
    """One line of the public catalog."""

    id: int
    code: str
    name: str
    category: str
    category_name: str
    department_id: int
    department_code: str
    department_name: str
    legal_limit_days: int
    promised_limit_days: int
    status: str


@dataclass(frozen=True)
class DepartmentCount:
    id: int
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class CategoryCount:
    key: str
    name: str
    count: int


@dataclass(frozen=True)
class PublicField:
    """A filled public field with its label, ready for display by kind."""

    key: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class PublicPower:
    """Everything the hall shows of one power, from its newest published snapshot."""

    id: int
    code: str
    name: str
    category: str
    category_name: str
    department_name: str
    status: str
    version: int
    published_at: datetime
    fields: list[PublicField]
    has_internal: bool
    has_external: bool

    @property
    def suspended(self) -> bool:
        return self.status == "suspended"

    def field(self, key: str) -> PublicField | None:
        return next((f for f in self.fields if f.key == key), None)


def category_name(key: str, lang: str = "zh") -> str:
    names = CATEGORIES.get(key)
    if names is None:
        return key
    return names[1] if lang == "en" else names[0]


def _has_version() -> Any:
    return select(PowerVersion.id).where(PowerVersion.power_id == Power.id).exists()


def _visible(statuses: tuple[str, ...] = VISIBLE) -> Select[Any]:
    """Powers the public may see: not secret, in one of ``statuses``, with a published snapshot."""
    return (select(Power, Department).join(Department, Department.id == Power.department_id)
            .where(Power.secret.is_(False), Power.status.in_(statuses), _has_version()))


def _row(power: Power, dept: Department, lang: str) -> PublicPowerRow:
    return PublicPowerRow(power.id, power.code, power.name, power.category, category_name(power.category, lang),
                          dept.id, dept.code, dept.name, power.legal_limit_days, power.promised_limit_days,
                          power.status)


def catalog(session: Session, department_id: int | None = None, category: str | None = None,
            query: str | None = None, *, lang: str = "zh") -> list[PublicPowerRow]:
    """The public catalog, filtered; with a query, only published powers that match it, best match first."""
    stmt = _visible()
    if department_id is not None:
        stmt = stmt.where(Power.department_id == department_id)
    if category:
        stmt = stmt.where(Power.category == category)
    if query and query.strip():
        ranked = fulltext.search(session, query, limit=200)
        if not ranked:
            return []
        order = {power_id: i for i, power_id in enumerate(ranked)}
        found = session.execute(stmt.where(Power.id.in_(ranked), Power.status == "published")).all()
        return [_row(p, d, lang) for p, d in sorted(found, key=lambda r: order[r[0].id])]
    return [_row(p, d, lang) for p, d in session.execute(stmt.order_by(Power.code)).all()]


def departments_with_counts(session: Session) -> list[DepartmentCount]:
    """Departments that have public powers, with how many."""
    count = func.count(Power.id)
    stmt = (select(Department.id, Department.code, Department.name, count)
            .join(Power, Power.department_id == Department.id)
            .where(Power.secret.is_(False), Power.status.in_(VISIBLE), _has_version())
            .group_by(Department.id, Department.code, Department.name).order_by(Department.code))
    return [DepartmentCount(*row) for row in session.execute(stmt).all()]


def categories_with_counts(session: Session, lang: str = "zh") -> list[CategoryCount]:
    """Categories that have public powers, with how many, in the order of the law's list."""
    stmt = (select(Power.category, func.count(Power.id))
            .where(Power.secret.is_(False), Power.status.in_(VISIBLE), _has_version()).group_by(Power.category))
    counts: dict[str, int] = {key: n for key, n in session.execute(stmt).all()}
    return [CategoryCount(key, category_name(key, lang), counts[key]) for key in CATEGORIES if counts.get(key)]


def _public_power(session: Session, code: str) -> tuple[Power, Department, PowerVersion] | None:
    row = session.execute(_visible().where(Power.code == code)).first()
    if row is None:
        return None
    power, dept = row
    version = session.execute(select(PowerVersion).where(PowerVersion.power_id == power.id)
                              .order_by(PowerVersion.number.desc()).limit(1)).scalar_one()
    return power, dept, version


def _clean(fd: FieldDef, value: Any) -> Any:
    """Drop unsafe link targets before a template sees them."""
    if fd.kind == "url":
        return value if isinstance(value, str) and value.startswith(SAFE_SCHEMES) else None
    if fd.kind in ("basis", "forms") and isinstance(value, list):
        return [{**item, "url": item.get("url") if str(item.get("url", "")).startswith(SAFE_SCHEMES) else ""}
                for item in value if isinstance(item, dict)]
    return value


def _filled(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, int):
        return value > 0  # 0 working days means "not set", not "instant"
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def power_page(session: Session, code: str, lang: str = "zh") -> PublicPower | None:
    """The public page of a power, or None when it is secret, a draft, cancelled or unknown."""
    found = _public_power(session, code)
    if found is None:
        return None
    power, dept, version = found
    values = dict(version.fields or {})
    # The snapshot stores keys; the public wants words.
    values["category"] = category_name(power.category, lang)
    values.setdefault("department", dept.name)
    values.setdefault("code", power.code)
    shown = []
    for fd in FIELDS:
        if not fd.public:
            continue
        value = _clean(fd, values.get(fd.key))
        if _filled(value):
            shown.append(PublicField(fd.key, fd.label(lang), fd.kind, value))
    return PublicPower(power.id, power.code, values.get("name") or power.name, power.category,
                       category_name(power.category, lang), dept.name, power.status, version.number,
                       version.published_at, shown, bool(version.internal_bpmn), bool(version.external_bpmn))


def flowchart(session: Session, code: str, which: str) -> str | None:
    """The published internal or external flowchart of a public power, as BPMN XML."""
    if which not in ("internal", "external"):
        return None
    found = _public_power(session, code)
    if found is None:
        return None
    version = found[2]
    return version.internal_bpmn if which == "internal" else version.external_bpmn
