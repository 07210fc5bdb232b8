"""Supervision reports (电子监察月报、季报、年报): generated once per (kind, period, scope), stored, listed, downloaded.

A report is made for a **finished** period only (its figures no longer change), as PDF and Excel from one
``ReportContent``; both files go to the files storage under their SHA-256 and the row keeps the two hashes. The
unique constraint ``uq_reports_once`` and an ``INSERT … ON CONFLICT DO NOTHING`` make generation insert-or-skip: two
supervisor processes (or a supervisor clicking while the scheduler runs) end with one report, and whoever lost the
race gets the winner's row. (The loser's bytes may stay in the storage unreferenced: storage is write-once and
content-addressed, so they harm nothing.)

Who: supervisors and administrators only (``may_use_reports``). A supervisor placed at a region or department
(``engine/supervision/scope.py``) makes and sees the reports of that scope; an unplaced one and an administrator
those of the whole platform and every scope. Generating, downloading and marking a report submitted are audit
events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.calendar import WorkCalendar
from engine.files.storage import Storage
from engine.store import User
from engine.store.reports import Report, ReportSubmission
from engine.supervision.periods import KIND_NAMES, KINDS, Period, parse_period
from engine.supervision.report_content import PLATFORM, ReportScope, build_content
from engine.supervision.report_pdf import render_report_pdf
from engine.supervision.report_xlsx import render_report_xlsx
from engine.supervision.scope import Scope, scope_of

#: Who may generate, list and download reports.
REPORT_ROLES = ("supervisor", "admin")
#: ``generated_by`` of the reports the scheduler makes.
SYSTEM = "system"
FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

MESSAGES: dict[str, dict[str, str]] = {
    "report.not_allowed": {"zh": "只有监察人员和管理员可以使用监察报告。",
                           "en": "Only supervisors and administrators may use supervision reports."},
    "report.bad_kind": {"zh": "请选择报告类型（月报、季报或年报）。",
                        "en": "Choose the kind of report (monthly, quarterly or annual)."},
    "report.bad_period": {"zh": "报告期间格式不正确（例如 2026-11、2026-Q4、2026）。",
                          "en": "The period is not valid (e.g. 2026-11, 2026-Q4, 2026)."},
    "report.not_over": {"zh": "{period}尚未结束，期末后才能生成报告。",
                        "en": "{period} is not over yet; its report can be made after it ends."},
    "report.not_found": {"zh": "报告不存在。", "en": "No such report."},
    "report.bad_format": {"zh": "报告格式只能是 PDF 或 Excel。", "en": "A report is a PDF or an Excel workbook."},
}


class ReportProblem(Exception):
    """A refusal the user can act on, with a stable code and zh/en text."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        texts = MESSAGES.get(self.code, {})
        return (texts.get(lang) or texts.get("zh") or self.code).format(**self.params)


def may_use_reports(user: User) -> bool:
    return user.has_role(*REPORT_ROLES)


def _require(user: User) -> None:
    if not may_use_reports(user):
        raise ReportProblem("report.not_allowed")


def report_scope(scope: Scope) -> ReportScope:
    """The report scope of a supervisor's scope: the whole platform, a region (and below) or one department."""
    if scope.department_ids is None:
        return PLATFORM
    if scope.region_id is not None:
        return ReportScope(f"region:{scope.region_id}", scope.name, tuple(sorted(scope.department_ids)))
    if scope.department_id is not None:
        return ReportScope(f"department:{scope.department_id}", scope.name, (scope.department_id,))
    return ReportScope("none", "无", ())


def user_scope(session: Session, user: User) -> ReportScope:
    return report_scope(scope_of(session, user))


def period_from(kind: str, key: str) -> Period:
    """The period a form names; ``ReportProblem`` on the field when it names none."""
    if kind not in KINDS:
        raise ReportProblem("report.bad_kind", "kind")
    try:
        return parse_period(kind, key.strip())
    except ValueError:
        raise ReportProblem("report.bad_period", "period") from None


@dataclass(frozen=True)
class Generated:
    report: Report
    #: False when the report already existed (made earlier, or by another process in the same instant).
    created: bool


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Report).values(**values).on_conflict_do_nothing(
        index_elements=["kind", "period", "scope"]).returning(Report.id)
    return session.execute(statement).scalar()


def _existing(session: Session, kind: str, period: Period, scope: ReportScope) -> Report | None:
    return session.execute(select(Report).where(Report.kind == kind, Report.period == period.key,
                                                Report.scope == scope.key)).scalar_one_or_none()


def generate(session: Session, storage: Storage, calendar: WorkCalendar, kind: str, period: Period,
             scope: ReportScope, *, actor: str, now: datetime | None = None) -> Generated:
    """The ``kind`` report on ``period`` for ``scope``: the existing one, or a new one generated, stored and
    audited (``report.generated``) in ``session``'s transaction (the caller commits)."""
    now = now or clock.now()
    if period.end > now:
        raise ReportProblem("report.not_over", "period", period=period.label)
    if (found := _existing(session, kind, period, scope)) is not None:
        return Generated(found, False)
    content = build_content(session, kind, period, scope, calendar=calendar, generated_at=now)
    pdf, xlsx = render_report_pdf(content), render_report_xlsx(content)
    pdf_key, xlsx_key = storage.put(pdf), storage.put(xlsx)
    report_id = _insert_once(session, {
        "kind": kind, "period": period.key, "scope": scope.key, "scope_name": scope.name,
        "department_ids": list(scope.department_ids) if scope.department_ids is not None else None,
        "generated_at": now, "generated_by": actor, "pdf_sha256": pdf_key, "pdf_size": len(pdf),
        "xlsx_sha256": xlsx_key, "xlsx_size": len(xlsx), "summary": content.summary()})
    if report_id is None:  # another process inserted it first
        found = _existing(session, kind, period, scope)
        assert found is not None
        return Generated(found, False)
    audit.record(session, actor, "report.generated", at=now,
                 payload={"report_id": report_id, "kind": kind, "period": period.key, "scope": scope.key,
                          "pdf_sha256": pdf_key, "xlsx_sha256": xlsx_key})
    return Generated(session.get_one(Report, report_id), True)


def generate_for(session: Session, storage: Storage, calendar: WorkCalendar, user: User, kind: str,
                 period_key: str) -> Generated:
    """A supervisor's request: the report of their scope (``ReportProblem`` when refused)."""
    _require(user)
    return generate(session, storage, calendar, kind, period_from(kind, period_key), user_scope(session, user),
                    actor=user.username)


@dataclass(frozen=True)
class Listed:
    report: Report
    submission: ReportSubmission | None

    @property
    def name(self) -> str:
        return f"{self.report.scope_name}电子监察{KIND_NAMES[self.report.kind]}"

    @property
    def period_label(self) -> str:
        return parse_period(self.report.kind, self.report.period).label


def list_reports(session: Session, user: User, kind: str | None = None, limit: int = 200) -> list[Listed]:
    """The reports ``user`` may see, newest period first."""
    _require(user)
    scope = scope_of(session, user)
    query = (select(Report, ReportSubmission).outerjoin(ReportSubmission, ReportSubmission.report_id == Report.id)
             .order_by(Report.period.desc(), Report.kind, Report.scope).limit(limit))
    if not scope.whole:
        query = query.where(Report.scope == report_scope(scope).key)
    if kind in KINDS:
        query = query.where(Report.kind == kind)
    return [Listed(r, sub) for r, sub in session.execute(query)]


def _visible_report(session: Session, user: User, report_id: int) -> Report:
    _require(user)
    report = session.get(Report, report_id)
    scope = scope_of(session, user)
    if report is None or (not scope.whole and report.scope != report_scope(scope).key):
        raise ReportProblem("report.not_found")
    return report


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    mimetype: str


def download(session: Session, storage: Storage, user: User, report_id: int, fmt: str) -> Download:
    """The report's PDF or workbook as stored, and the audit event ``report.downloaded`` (the caller commits)."""
    if fmt not in FORMATS:
        raise ReportProblem("report.bad_format")
    report = _visible_report(session, user, report_id)
    key = report.pdf_sha256 if fmt == "pdf" else report.xlsx_sha256
    content = storage.read(key)
    audit.record(session, user.username, "report.downloaded",
                 payload={"report_id": report.id, "format": fmt, "sha256": key})
    label = parse_period(report.kind, report.period).label
    filename = f"{report.scope_name}电子监察{KIND_NAMES[report.kind]}-{label}.{fmt}"
    return Download(content, filename, FORMATS[fmt])


def mark_submitted(session: Session, user: User, report_id: int, *, now: datetime | None = None) -> bool:
    """Record that the report was submitted (报送) — once; False when it already was. Audit ``report.submitted``."""
    report = _visible_report(session, user, report_id)
    if session.get(ReportSubmission, report.id) is not None:
        return False
    now = now or clock.now()
    session.add(ReportSubmission(report_id=report.id, submitted_at=now, submitted_by=user.username))
    session.flush()
    audit.record(session, user.username, "report.submitted", at=now, payload={"report_id": report.id})
    return True
