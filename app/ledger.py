"""The alert ledger (台账): an alert's life, explained, rectified, closed, referred (thin over engine/supervision)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import role_required
from app.i18n import gettext as _
from engine import clock
from engine.store import Alert, Case
from engine.store.alert_life import Directive
from engine.supervision import alert_life
from engine.supervision.errors import SupervisionProblem
from engine.supervision.ledger import (
    LEVELS,
    STATE_CHOICES,
    ExportTooLarge,
    LedgerFilter,
    departments,
    export_ledger,
    ledger_page,
)
from engine.supervision.scope import scope_of

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


@bp.route("/")
@role_required("supervisor", "admin")
def index() -> Any:
    f = LedgerFilter.parse(request.args)
    rt = runtime()
    with rt.reader() as s:
        page = ledger_page(s, rt.calendar, f, _page(), scope=scope_of(s, g.user))
        depts = departments(s)
    return render_template("ledger/index.html", page=page, f=f, links=f.args(), departments=depts,
                           states=STATE_CHOICES, levels=LEVELS, lang=select_locale(), stage_text=alert_life.stage_text,
                           move_text=alert_life.move_text)


@bp.route("/export.xlsx")
@role_required("supervisor", "admin")
def export() -> Any:
    f = LedgerFilter.parse(request.args)
    rt = runtime()
    try:
        with rt.sessions.begin() as s:
            content = export_ledger(s, rt.calendar, g.user, f)
    except ExportTooLarge as exc:
        flash(_("所选预警超过 %(n)s 条，无法一次导出：请缩小日期范围或加上其他条件。", n=exc.limit))
        return redirect(url_for("ledger.index", **f.args()))
    name = f"ledger-{clock.local(clock.now()).strftime('%Y%m%d-%H%M')}.xlsx"
    return content, 200, {"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"'}


@bp.route("/<int:alert_id>")
@role_required("supervisor", "admin")
def alert(alert_id: int) -> Any:
    rt = runtime()
    with rt.reader() as s:
        found = s.get(Alert, alert_id)
        if found is None:
            abort(404)
        case = s.get_one(Case, found.case_id)
        life = s.get(Case, found.life_case_id) if found.life_case_id else None
        moves = alert_life.moves(s, alert_id)
        orders = list(s.execute(select(Directive).where(Directive.alert_id == alert_id)
                                .order_by(Directive.id)).scalars())
        department = case.department_id
    return render_template("ledger/alert.html", alert=found, case=case, life=life, moves=moves, directives=orders,
                           workdays=rt.calendar.workdays_between(found.raised_at, found.closed_at or clock.now()),
                           lang=select_locale(), stage_text=alert_life.stage_text, move_text=alert_life.move_text,
                           department=department)


@bp.route("/<int:alert_id>/life", methods=["POST"])
@role_required("supervisor", "admin")
def start_life(alert_id: int) -> Any:
    try:
        life = alert_life.start_life_by_hand(runtime(), alert_id, g.user)
    except SupervisionProblem as exc:
        flash(exc.message(select_locale()))
    else:
        flash(_("已交责任部门说明，处置办件 %(serial)s。", serial=life.serial))
    return redirect(url_for("ledger.alert", alert_id=alert_id))
