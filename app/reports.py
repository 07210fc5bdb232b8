"""Supervision reports (月报、季报、年报: generate, list, download, mark submitted) and department scores (绩效考核),
thin over engine/supervision (reports, report_due, scores). Supervisors and administrators only; the engine checks
it again (``may_use_reports``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from app import runtime, select_locale
from app.auth import role_required
from app.files import storage
from app.i18n import gettext as _
from engine import clock
from engine.supervision.periods import KIND_NAMES, KINDS, MONTH, local_day, period_of
from engine.supervision.report_due import Reminder, reminders
from engine.supervision.reports import (
    REPORT_ROLES,
    ReportProblem,
    download,
    generate_for,
    list_reports,
    mark_submitted,
    period_from,
    user_scope,
)
from engine.supervision.scope import scope_of
from engine.supervision.scores import (
    COMPONENT_NAMES,
    FACTOR_NAMES,
    NOT_CONNECTED,
    WeightsProblem,
    current_weights,
    may_set_weights,
    parse_weights,
    period_scores,
    save_weights,
    weights_history,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")
supervisors = role_required(*REPORT_ROLES)


def _last_finished(kind: str) -> str:
    return period_of(kind, local_day(clock.now())).previous().key


def _reminders() -> list[Reminder]:
    rt = runtime()
    with rt.reader() as s:
        return reminders(s, rt.calendar, user_scope(s, g.user), local_day(clock.now()))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    def report_reminders() -> list[tuple[bool, str]]:
        """(overdue, message) of the report reminders for the signed-in supervisor (电子监察 shows them)."""
        user = getattr(g, "user", None)
        if user is None or not user.has_role(*REPORT_ROLES):
            return []
        lang = select_locale()
        return [(r.overdue, r.message(lang)) for r in _reminders()]

    return {"report_reminders": report_reminders}


def _index(errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200) -> Any:
    rt = runtime()
    kind = request.args.get("kind", "")
    with rt.reader() as s:
        listed = list_reports(s, g.user, kind or None)
        scope = user_scope(s, g.user)
    form = form or {"kind": MONTH, "period": _last_finished(MONTH)}
    defaults = {k: _last_finished(k) for k in KINDS}
    return render_template("reports/index.html", listed=listed, scope=scope, kinds=KINDS, kind_names=KIND_NAMES,
                           filter_kind=kind, form=form, errors=errors or {}, defaults=defaults), status


@bp.route("/")
@supervisors
def index() -> Any:
    return _index()


@bp.route("/generate", methods=["POST"])
@supervisors
def generate() -> Any:
    kind, period = request.form.get("kind", ""), request.form.get("period", "")
    rt = runtime()
    try:
        with rt.sessions.begin() as s:
            made = generate_for(s, storage(), rt.calendar, g.user, kind, period)
            label, name = period_from(kind, period).label, made.report.scope_name
    except ReportProblem as exc:
        return _index({exc.field or "kind": exc.message(select_locale())}, {"kind": kind, "period": period}, 422)
    if made.created:
        flash(_("已生成 %(name)s %(period)s 报告。", name=name, period=label))
    else:
        flash(_("%(name)s %(period)s 报告已生成过，以下为原报告。", name=name, period=label))
    return redirect(url_for("reports.index") + f"#report-{made.report.id}")


@bp.route("/<int:report_id>.<fmt>")
@supervisors
def file(report_id: int, fmt: str) -> Any:
    try:
        with runtime().sessions.begin() as s:
            got = download(s, storage(), g.user, report_id, fmt)
    except ReportProblem:
        abort(404)
    ascii_name = f"report-{report_id}.{fmt}"
    return Response(got.content, mimetype=got.mimetype, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(got.filename)}",
        "Cache-Control": "no-store"})


@bp.route("/<int:report_id>/submitted", methods=["POST"])
@supervisors
def submitted(report_id: int) -> Any:
    try:
        with runtime().sessions.begin() as s:
            first = mark_submitted(s, g.user, report_id)
    except ReportProblem as exc:
        flash(exc.message(select_locale()))
        return redirect(url_for("reports.index"))
    flash(_("已标记为已报送。") if first else _("该报告此前已标记为已报送。"))
    return redirect(url_for("reports.index") + f"#report-{report_id}")


# ---- department scores ------------------------------------------------------------------------------------------


def _scores(errors: dict[str, str] | None = None, values: dict[str, str] | None = None, status: int = 200) -> Any:
    rt = runtime()
    kind = request.args.get("kind", MONTH)
    key = request.args.get("period", "") or _last_finished(kind if kind in KINDS else MONTH)
    problem = None
    try:
        period = period_from(kind, key)
    except ReportProblem as exc:
        problem = exc.message(select_locale())
        kind, period = MONTH, period_of(MONTH, local_day(clock.now())).previous()
    with rt.sessions.begin() as s:
        scope = scope_of(s, g.user)
        ids = None if scope.whole else sorted(scope.department_ids or ())
        scores = period_scores(s, rt.calendar, kind, period, ids)
        weights = current_weights(s)
        history = weights_history(s)
        may_set = may_set_weights(s, g.user)
    values = values or {k: f"{v:g}" for k, v in weights.weights.items()}
    return render_template("reports/scores.html", scores=scores, kind=kind, period=period, kinds=KINDS,
                           kind_names=KIND_NAMES, weights=weights, history=history, values=values,
                           errors=errors or {}, problem=problem, may_set=may_set,
                           component_names=COMPONENT_NAMES, factor_names=FACTOR_NAMES,
                           not_connected=NOT_CONNECTED), status


@bp.route("/scores")
@supervisors
def scores() -> Any:
    return _scores()


@bp.route("/scores/weights", methods=["POST"])
@supervisors
def weights() -> Any:
    form = {k: v for k, v in request.form.items() if k != "csrf"}
    try:
        with runtime().sessions.begin() as s:
            if not may_set_weights(s, g.user):  # before the form: a refusal says so, not what was typed wrong
                raise WeightsProblem({}, "not_allowed")
            saved = save_weights(s, g.user, parse_weights(form), note=form.get("note", "").strip())
    except WeightsProblem as exc:
        if not exc.fields:
            flash(_("只有全平台的监察人员或管理员可以设置考核权重。"))
            return redirect(url_for("reports.scores"))
        return _scores(exc.field_messages(select_locale()), form, 422)
    flash(_("已保存第 %(version)s 版考核权重。", version=saved.version))
    return redirect(url_for("reports.scores"))
