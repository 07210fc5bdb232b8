"""督办: directives on an alert, a case or a department, their reports and extensions (thin over
engine/supervision/directives.py and directive_list.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import login_required, role_required
from app.i18n import gettext as _
from engine import clock
from engine.store import Alert, Case, Department, OpenTask
from engine.store.alert_life import Directive
from engine.supervision import directives
from engine.supervision.directive_list import (
    STATE_CHOICES,
    DirectiveFilter,
    ExportTooLarge,
    directive_page,
    export_directives,
)
from engine.supervision.errors import SupervisionProblem
from engine.supervision.ledger import departments
from engine.supervision.policy import may_ask_extension, may_see_directive, may_supervise

bp = Blueprint("directives", __name__, url_prefix="/directives")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(name: str, source: Any = None) -> int | None:
    raw = str((source or request.args).get(name, "")).strip()
    return int(raw) if raw.isdigit() else None


@bp.route("/")
@login_required
def index() -> Any:
    f = DirectiveFilter.parse(request.args)
    page_no = _int("page") or 1
    with runtime().reader() as s:
        page = directive_page(s, g.user, f, page_no)
        depts = departments(s)
    return render_template("directives/index.html", page=page, f=f, links=f.args(), departments=depts,
                           states=STATE_CHOICES, may_issue=may_supervise(g.user), now=clock.now(),
                           lang=select_locale(), state_text=directives.state_text,
                           extension_text=directives.extension_text)


@bp.route("/export.xlsx")
@login_required
def export() -> Any:
    f = DirectiveFilter.parse(request.args)
    try:
        with runtime().sessions.begin() as s:
            content = export_directives(s, g.user, f)
    except ExportTooLarge as exc:
        flash(_("所选督办超过 %(n)s 件，无法一次导出：请加上条件。", n=exc.limit))
        return redirect(url_for("directives.index", **f.args()))
    name = f"directives-{clock.local(clock.now()).strftime('%Y%m%d-%H%M')}.xlsx"
    return content, 200, {"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"'}


@bp.route("/new", methods=["GET", "POST"])
@role_required("supervisor", "admin")
def new() -> Any:
    source = request.form if request.method == "POST" else request.args
    alert_id, case_id, department_id = _int("alert", source), _int("case", source), _int("department", source)
    values = {"subject": source.get("subject", ""), "requirement": source.get("requirement", "")}
    errors: dict[str, str] = {}
    lang = select_locale()
    if request.method == "POST":
        try:
            directive = directives.issue(runtime(), g.user, subject=values["subject"],
                                         requirement=values["requirement"], alert_id=alert_id, case_id=case_id,
                                         department_id=department_id)
        except SupervisionProblem as exc:
            errors = exc.field_messages(lang)
            flash(exc.message(lang))
        else:
            flash(_("已督办，上报期限 %(due)s。", due=clock.deadline_text(directive.due_at)))
            return redirect(url_for("directives.show", directive_id=directive.id))
    with runtime().reader() as s:
        alert = s.get(Alert, alert_id) if alert_id else None
        case = s.get(Case, alert.case_id if alert else case_id) if (alert or case_id) else None
        if (alert_id and alert is None) or (case_id and case is None):
            abort(404)
        depts = departments(s)
        if not values["subject"] and alert is not None:
            values["subject"] = f"{case.serial if case else ''} {alert.message}"[:200]
        elif not values["subject"] and case is not None:
            values["subject"] = f"{case.serial} {case.subject}"[:200]
    return render_template("directives/new.html", alert=alert, case=case, departments=depts,
                           department_id=department_id, values=values, errors=errors,
                           days=directives.DUE_WORKDAYS), (422 if errors else 200)


@bp.route("/<int:directive_id>")
@login_required
def show(directive_id: int) -> Any:
    with runtime().reader() as s:
        directive = s.get(Directive, directive_id)
        if directive is None:
            abort(404)
        if not may_see_directive(s, g.user, directive.department_id):
            abort(403)
        department = s.get_one(Department, directive.department_id)
        own = s.get(Case, directive.own_case_id) if directive.own_case_id else None
        target_case = s.get(Case, directive.case_id) if directive.case_id else None
        step = (s.execute(select(OpenTask).where(OpenTask.case_id == directive.own_case_id).limit(1)).scalar()
                if directive.own_case_id else None)
        may_ask = may_ask_extension(s, g.user, directive.department_id)
    return render_template("directives/show.html", d=directive, department=department, own=own,
                           target_case=target_case, step=step, may_ask=may_ask, may_decide=may_supervise(g.user),
                           now=clock.now(), lang=select_locale(), state_text=directives.state_text,
                           extension_text=directives.extension_text, most=directives.MAX_EXTENSION_WORKDAYS,
                           errors={}, values={})


@bp.route("/<int:directive_id>/extension", methods=["POST"])
@login_required
def ask_extension(directive_id: int) -> Any:
    lang = select_locale()
    try:
        directives.ask_extension(runtime(), directive_id, g.user, days=request.form.get("days", ""),
                                 reason=request.form.get("reason", ""))
    except SupervisionProblem as exc:
        messages = exc.field_messages(lang)
        flash(exc.message(lang) + ("" if not messages else " " + "；".join(messages.values())))
    else:
        flash(_("已申请延期，等待监察机关审批。"))
    return redirect(url_for("directives.show", directive_id=directive_id))


@bp.route("/<int:directive_id>/extension/decision", methods=["POST"])
@role_required("supervisor", "admin")
def decide_extension(directive_id: int) -> Any:
    grant = request.form.get("decision") == "grant"
    try:
        directive = directives.decide_extension(runtime(), directive_id, g.user, grant=grant,
                                                opinion=request.form.get("opinion", ""))
    except SupervisionProblem as exc:
        flash(exc.message(select_locale()))
    else:
        if grant:
            flash(_("已同意延期，新的上报期限 %(due)s。", due=clock.deadline_text(directive.due_at)))
        else:
            flash(_("已不同意延期，上报期限不变。"))
    return redirect(url_for("directives.show", directive_id=directive_id))
