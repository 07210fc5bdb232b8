"""The alert ledger (动态监察台账, seed 003 第七条): every alert with its life — stage, each move timed in working
days — filtered by state, level, rule, department and the day it was raised, a page at a time,
and as an Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.calendar import WorkCalendar
from engine.store import Alert, Case, Department, User
from engine.store.alert_life import AlertStep
from engine.supervision.alert_life import STAGES, move_text, stage_text
from engine.supervision.scope import Scope, scope_of
from engine.workbook import sheet_bytes

PAGE_SIZE = 50
#: The most alerts one workbook holds; more is refused with a message (narrow the dates or the filters).
EXPORT_MAX = 20000
#: What the 状态 filter offers: open / closed (the alert's status), "none" (open, not in handling) and each stage.
STATE_CHOICES = ("open", "closed", "unhandled", *[s for s in STAGES if s != "none"])
LEVELS = ("yellow", "red")


@dataclass(frozen=True)
class LedgerFilter:
    state: str | None = None
    level: str | None = None
    rule: str | None = None
    department_id: int | None = None
    raised_from: date | None = None
    raised_to: date | None = None

    @classmethod
    def parse(cls, args: Any) -> LedgerFilter:
        """From query arguments; anything not understood is ignored (the page shows what it applied)."""
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, "").strip())
            except ValueError:
                return None

        def number(name: str) -> int | None:
            raw = args.get(name, "").strip()
            return int(raw) if raw.isdigit() else None

        state, level, rule = args.get("state") or None, args.get("level") or None, (args.get("rule") or "").strip()
        return cls(state=state if state in STATE_CHOICES else None, level=level if level in LEVELS else None,
                   rule=rule[:10] or None, department_id=number("department"), raised_from=day("from"),
                   raised_to=day("to"))

    def args(self) -> dict[str, Any]:
        """The filter as query arguments (for links: pages, export)."""
        return {"state": self.state, "level": self.level, "rule": self.rule, "department": self.department_id,
                "from": self.raised_from.isoformat() if self.raised_from else None,
                "to": self.raised_to.isoformat() if self.raised_to else None}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), clock.LOCAL_TZ)


def _query(f: LedgerFilter, scope: Scope | None = None) -> Select[Any]:
    query = (select(Alert, Case.serial, Department.name).join(Case, Case.id == Alert.case_id)
             .join(Department, Department.id == Alert.department_id))
    if scope is not None:  # supervision by level: the supervisor's departments only
        query = query.where(scope.departments(Alert.department_id))
    if f.state in ("open", "closed"):
        query = query.where(Alert.status == f.state)
    elif f.state == "unhandled":
        query = query.where(Alert.status == "open", Alert.life_case_id.is_(None))
    elif f.state is not None:
        query = query.where(Alert.stage == f.state)
    if f.level:
        query = query.where(Alert.level == f.level)
    if f.rule:
        query = query.where(Alert.rule == f.rule)
    if f.department_id is not None:
        query = query.where(Alert.department_id == f.department_id)
    if f.raised_from:
        query = query.where(Alert.raised_at >= _start_of(f.raised_from))
    if f.raised_to:
        query = query.where(Alert.raised_at < _start_of(f.raised_to + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class LedgerRow:
    alert: Alert
    serial: str
    department: str
    #: Working days from raised to closed, or to now while open.
    workdays: int
    #: The last move of its life and when (None without a life).
    last_move: str | None
    last_move_at: datetime | None


@dataclass(frozen=True)
class LedgerPage:
    rows: list[LedgerRow]
    total: int
    page: int
    pages: int


def _rows(session: Session, calendar: WorkCalendar, found: list[Any], now: datetime) -> list[LedgerRow]:
    ids = [alert.id for alert, _, _ in found]
    last: dict[int, tuple[str, datetime]] = {}
    if ids:
        latest = (select(func.max(AlertStep.id)).where(AlertStep.alert_id.in_(ids))
                  .group_by(AlertStep.alert_id).scalar_subquery())
        for step in session.execute(select(AlertStep).where(AlertStep.id.in_(latest))).scalars():
            last[step.alert_id] = (step.move, step.at)
    return [LedgerRow(alert, serial, dept, calendar.workdays_between(alert.raised_at, alert.closed_at or now),
                      *last.get(alert.id, (None, None))) for alert, serial, dept in found]


def ledger_page(session: Session, calendar: WorkCalendar, f: LedgerFilter, page: int = 1,
                size: int = PAGE_SIZE, scope: Scope | None = None) -> LedgerPage:
    """Newest first, page ``page`` (from 1) of ``size``; within ``scope`` when given."""
    total = session.execute(select(func.count()).select_from(_query(f, scope).subquery())).scalar_one()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    found = session.execute(_query(f, scope).order_by(Alert.raised_at.desc(), Alert.id.desc())
                            .offset((page - 1) * size).limit(size)).all()
    return LedgerPage(_rows(session, calendar, list(found), clock.now()), total, page, pages)


def departments(session: Session) -> list[tuple[int, str]]:
    """The departments an alert may name, for the filter."""
    return [(row.id, row.name) for row in session.execute(select(Department.id, Department.name)
                                                           .order_by(Department.code))]


class ExportTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


COLUMNS = ["编号", "报警时间", "灯色", "规则", "部门", "办件流水号", "内容", "状态", "处置阶段", "最近处置",
           "最近处置时间", "历时（工作日）", "关闭时间", "关闭方式", "关闭人"]
LEVEL_NAMES = {"yellow": "黄灯预警", "red": "红灯报警"}
CLOSED_HOW = {"in_time": "按时办结", "escalated": "升级为红灯", "verified": "整改销号", "referred": "移交问责",
              "extended": "督办延期"}


def _local(moment: datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def export_ledger(session: Session, calendar: WorkCalendar, user: User, f: LedgerFilter) -> bytes:
    """The alerts the filter selects in the user's scope, newest first, as a workbook (an audit event
    ``ledger.exported``)."""
    query = _query(f, scope_of(session, user))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if total > EXPORT_MAX:
        raise ExportTooLarge(EXPORT_MAX)
    found = list(session.execute(query.order_by(Alert.raised_at.desc(), Alert.id.desc())).all())
    rows = _rows(session, calendar, found, clock.now())
    data = sheet_bytes("预警处置台账", COLUMNS, (_ledger_line(r) for r in rows))
    audit.record(session, user.username, "ledger.exported",
                 payload={"filters": {k: v for k, v in f.args().items() if v is not None}, "rows": len(rows)})
    return data


def _ledger_line(r: Any) -> list[Any]:
    a = r.alert
    return [a.id, _local(a.raised_at), LEVEL_NAMES.get(a.level, a.level), a.rule, r.department, r.serial,
            a.message, "已关闭" if a.status == "closed" else "未关闭",
            stage_text(a.stage) if a.stage or a.status == "open" else "",
            move_text(r.last_move) if r.last_move else "", _local(r.last_move_at), r.workdays,
            _local(a.closed_at), CLOSED_HOW.get(a.closed_how or "", a.closed_how or ""), a.closed_by or ""]
