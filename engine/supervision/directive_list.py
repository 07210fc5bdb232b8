"""督办 listed and searched (subject, department, state), a page at a time, and as an Excel workbook with their
reports. A supervisor sees every directive; a department's staff see their department's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.identity import departments_of
from engine.store import Case, Department, User
from engine.store.alert_life import Directive
from engine.supervision.directives import ASKED, EXTENSION_STATES, OPEN, REPORTED, STATES
from engine.supervision.policy import may_supervise
from engine.supervision.scope import scope_of
from engine.workbook import sheet_bytes

PAGE_SIZE = 50
EXPORT_MAX = 20000
#: What the 状态 filter offers beyond open / reported.
STATE_CHOICES = (OPEN, REPORTED, "extension", "late", "overdue")
TARGET_NAMES = {"alert": "预警", "case": "办件", "department": "部门"}


@dataclass(frozen=True)
class DirectiveFilter:
    search: str | None = None
    department_id: int | None = None
    state: str | None = None

    @classmethod
    def parse(cls, args: Any) -> DirectiveFilter:
        search = (args.get("q") or "").strip()[:100] or None
        raw = (args.get("department") or "").strip()
        state = args.get("state") or None
        return cls(search, int(raw) if raw.isdigit() else None, state if state in STATE_CHOICES else None)

    def args(self) -> dict[str, Any]:
        return {"q": self.search, "department": self.department_id, "state": self.state}


def _query(session: Session, user: User, f: DirectiveFilter, now: datetime) -> Select[Any]:
    own = Case.__table__.alias("own")
    query = (select(Directive, Department.name, own.c.serial)
             .join(Department, Department.id == Directive.department_id)
             .outerjoin(own, own.c.id == Directive.own_case_id))
    if not may_supervise(user):
        query = query.where(Directive.department_id.in_(departments_of(user.id)))
    else:  # supervision by level: the supervisor's departments only
        query = query.where(scope_of(session, user).departments(Directive.department_id))
    if f.search:
        escaped = f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Directive.subject.like(f"%{escaped}%", escape="\\"))
    if f.department_id is not None:
        query = query.where(Directive.department_id == f.department_id)
    if f.state in (OPEN, REPORTED):
        query = query.where(Directive.state == f.state)
    elif f.state == "extension":
        query = query.where(Directive.extension_state == ASKED, Directive.state == OPEN)
    elif f.state == "late":
        query = query.where(Directive.late.is_(True))
    elif f.state == "overdue":
        query = query.where(Directive.state == OPEN, Directive.due_at < now)
    return query


@dataclass(frozen=True)
class DirectivePage:
    rows: list[tuple[Directive, str, str | None]]
    total: int
    page: int
    pages: int


def directive_page(session: Session, user: User, f: DirectiveFilter, page: int = 1,
                   size: int = PAGE_SIZE) -> DirectivePage:
    """Newest first, page ``page`` (from 1): (directive, department name, its own case's serial)."""
    query = _query(session, user, f, clock.now())
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = session.execute(query.order_by(Directive.issued_at.desc(), Directive.id.desc())
                           .offset((page - 1) * size).limit(size)).all()
    return DirectivePage([tuple(r) for r in rows], total, page, pages)  # type: ignore[misc]


class ExportTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


COLUMNS = ["编号", "督办事项", "督办对象", "部门", "督办要求", "督办人", "督办时间", "上报期限", "状态",
           "延期申请（工作日）", "延期理由", "延期审批", "上报时间", "上报人", "是否逾期", "调查处理情况报告",
           "督办办件"]


def _local(moment: datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def export_directives(session: Session, user: User, f: DirectiveFilter) -> bytes:
    """The directives the filter selects with their reports, as a workbook (audit event ``directives.exported``)."""
    query = _query(session, user, f, clock.now())
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if total > EXPORT_MAX:
        raise ExportTooLarge(EXPORT_MAX)
    rows = session.execute(query.order_by(Directive.issued_at.desc(), Directive.id.desc())).all()
    data = sheet_bytes("督办台账", COLUMNS, (_directive_line(d, department, serial) for d, department, serial in rows))
    audit.record(session, user.username, "directives.exported",
                 payload={"filters": {k: v for k, v in f.args().items() if v is not None}, "rows": len(rows)})
    return data


def _directive_line(d: Directive, department: str, serial: str | None) -> list[Any]:
    return [d.id, d.subject, TARGET_NAMES.get(d.target, d.target), department, d.requirement, d.issued_by,
            _local(d.issued_at), clock.deadline_text(d.due_at), STATES[d.state][0],
            d.extension_days or "", d.extension_reason or "",
            EXTENSION_STATES[d.extension_state][0] if d.extension_state else "", _local(d.reported_at),
            d.reported_by or "", "逾期" if d.late else ("" if d.state == OPEN else "按期"), d.report or "",
            serial or ""]
