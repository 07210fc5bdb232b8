"""The catalog workspace: departments draft adjustment requests, the legal office follows them, versions diff."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from app import runtime, select_locale
from app.auth import login_required, role_required
from app.i18n import gettext as _
from app.inputs import bounded_ids, int_arg
from app.uploads import limit_body
from engine import clock
from engine.access import may_see_case
from engine.bpmn.parser import over_limits
from engine.bpmn.problems import MAX_LISTED, first_problems
from engine.bpmn.safe_xml import max_bytes_limit
from engine.catalog.access import catalog_scope, may_draft, may_edit, may_model
from engine.catalog.diff import diff_fields, diff_flowcharts
from engine.catalog.drafts import (
    EDITABLE,
    KINDS,
    TRIGGERS,
    OpenRequestExists,
    Trigger,
    open_request,
    readiness,
    store_flowchart,
    update_fields,
)
from engine.catalog.fields import CATEGORIES, FIELDS, PENALTY_KINDS, relevant_fields, required_fields
from engine.catalog.review import request_change
from engine.catalog.text_fields import LAYOUTS, from_text, to_text
from engine.catalog.views import change_file, changes, open_requests, powers, versions
from engine.catalog.visibility import may_see_change, may_see_power, visible_change_ids
from engine.rules import d1_public_fields
from engine.runtime.errors import RuntimeProblem
from engine.store import CatalogChange, Department, Power

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
bounded_ids(bp)  # ids in URLs: see app/inputs.py
EDITABLE_FIELDS = [f for f in FIELDS if f.key not in ("code", "category", "department")]
PROBLEM_TEXT = {
    "integer": ("请填写非负整数。", "Enter a whole number."),
    "days": ("时限不能超过 2500 个工作日。", "A time limit cannot exceed 2500 working days."),
    "text": ("格式不正确。", "Wrong format."),
    "url": ("链接应以 http:// 或 https:// 开头。", "Links start with http:// or https://."),
    "exceeds_legal": ("承诺时限不能超过法定时限。", "The promised limit cannot exceed the legal limit."),
    "range": ("金额应为数字，且最低不高于最高。", "Amounts must be numbers, lowest not above highest."),
    "required": ("此项为必填项。", "This field is required."),
    "invisible": ("含有看不见的字符（零宽字符、文字方向控制符或控制字符），请删除后重新输入。",
                  "Contains a character nobody can see (zero-width, direction control or control character): "
                  "delete it and type the text again."),
    "future": ("公布日期不能晚于今天：申请时限自该日起计算。",
               "The publication date cannot be later than today: the application deadline counts from it."),
    "too_old": ("公布日期不能早于 1949-10-01，请检查年份。",
                "The publication date cannot be before 1949-10-01; check the year."),
}


def _text(code: str) -> str:
    zh, en = PROBLEM_TEXT.get(code.split(":")[0], (code, code))
    return en if select_locale() == "en" else zh


def _scope(session: Session) -> list[int] | None:
    """Departments the user works for; None (all) for the legal office, administrators and supervisors."""
    return catalog_scope(session, g.user)


def _visible_or_404(session: Session, change_id: int) -> None:
    """404, not 403, for a request the user may not see, so that its existence is not revealed."""
    if not may_see_change(session, g.user, change_id):
        abort(404)


@bp.route("/")
@login_required
def index() -> Any:
    with runtime().reader() as s:
        scope = _scope(s)
        rows, owned = changes(s, g.user, scope), powers(s, g.user, scope)
        pending = open_requests(s, [p.id for p, _ in owned])
        linkable = visible_change_ids(s, g.user, list(pending.values()))
        findings = d1_public_fields.check(s) if scope is None else []
    return render_template("catalog/index.html", changes=rows, powers=owned, findings=findings, pending=pending,
                           linkable=linkable, categories=CATEGORIES,
                           can_draft=may_draft(g.user))


@bp.route("/changes/new", methods=["GET", "POST"])
@role_required("drafter", "legal", "admin")
def new_change() -> Any:
    kind = request.values.get("kind", "add")
    power_id = int_arg("power", source=request.values)
    with runtime().reader() as s:
        scope = _scope(s)
        departments = [d for d in s.query(Department).order_by(Department.code) if scope is None or d.id in scope]
        power = s.get(Power, power_id) if power_id else None
        if power_id and (power is None or power.status == "internal" or not may_see_power(s, g.user, power_id)):
            abort(404)
        # Said before anything is typed: a second request for the power would be refused anyway.
        pending = open_request(s, power.id) if power and kind != "add" else None
        refusal = OpenRequestExists(pending) if pending else None
    values = dict(request.form)
    errors: dict[str, str] = {}
    if request.method == "POST" and refusal is None:
        published_on = None
        if values.get("trigger_published_on"):
            try:
                published_on = date.fromisoformat(values["trigger_published_on"])
            except ValueError:
                errors["trigger_published_on"] = _("日期格式应为 年-月-日。")
        department_id = power.department_id if power else int_arg("department", source=request.form)
        if department_id is None or (scope is not None and department_id not in scope):
            errors["department"] = _("请选择您所在的部门。")
        if not errors:
            try:
                change = request_change(
                    runtime(), kind, department_id=department_id, actor=g.user.username,
                    reason=values.get("reason", ""), power_id=power.id if power else None,
                    trigger=Trigger(values.get("trigger_kind", "other"), values.get("trigger_document", ""),
                                    published_on),
                    category=values.get("category"), name=values.get("name"), secret=bool(values.get("secret")))
            except OpenRequestExists as exc:  # opened by someone else since the form was shown
                refusal = exc
            except RuntimeProblem as exc:
                errors = {k: _text(v) for k, v in exc.fields.items()} or {"_": exc.message(select_locale())}
            else:
                flash(_("已创建调整申请，审核流程已启动。"))
                return redirect(url_for("catalog.change", change_id=change.id))
    pending_link = False
    if refusal is not None:
        with runtime().reader() as s:
            pending_link = may_see_change(s, g.user, refusal.change_id)
    status = 409 if refusal is not None and request.method == "POST" else 422 if errors else 200
    return render_template("catalog/new.html", kind=kind, kinds=KINDS, triggers=TRIGGERS, power=power,
                           departments=departments, categories=CATEGORIES, values=values, errors=errors,
                           refusal=refusal.message(select_locale()) if refusal else None,
                           pending=refusal.change_id if refusal else None, pending_link=pending_link,
                           today=clock.local(clock.now()).date().isoformat()), status


def _render_change(change_id: int, *, errors: dict[str, str] | None = None, texts: dict[str, str] | None = None,
                   problems: dict[str, list] | None = None, status: int = 200) -> Any:
    rt = runtime()
    lang = select_locale()
    with rt.reader() as s:
        _visible_or_404(s, change_id)
        file = change_file(s, change_id)
        if file is None:
            abort(404)
        missing = readiness(s, file.change, rt.forms, lang)
        # An ordinary request is readable by all staff, its review case only as any case is (engine.access):
        # link the case and its open step only for those it opens to, not to a 404.
        case_id = file.change.review_case_id
        sees_case = case_id is not None and may_see_case(s, g.user, case_id)
        editable = file.change.status in EDITABLE and may_edit(s, g.user, file.change.department_id)
        can_model = may_model(s, g.user, file.change.department_id)
    before = file.published.fields if file.published else {}
    field_diff = diff_fields(before, file.change.fields, lang)
    # The diff is shown only against a published version, and not for a draft too large to check (it would walk
    # every one of its elements: a 200,000-step upload held the page for a minute).
    flow_diff = (diff_flowcharts(file.published.internal_bpmn, file.change.internal_bpmn)
                 if file.published and not over_limits(file.change.internal_bpmn) else None)
    required = {f.key for f in required_fields(file.power.category)}
    shown = [f for f in relevant_fields(file.power.category) if f in EDITABLE_FIELDS]
    current = {f.key: (texts or {}).get(f.key, to_text(f.kind, file.change.fields.get(f.key))) for f in shown}
    return render_template(
        "catalog/change.html", file=file, fields=shown, required=required, current=current,
        errors=errors or {}, missing=missing, field_diff=field_diff, flow_diff=flow_diff,
        problems={which: first_problems(found) for which, found in (problems or {}).items() if found},
        editable=editable, layouts=LAYOUTS, can_model=can_model, sees_case=sees_case,
        penalty_kinds=PENALTY_KINDS, categories=CATEGORIES, max_listed=MAX_LISTED), status


@bp.route("/changes/<int:change_id>")
@login_required
def change(change_id: int) -> Any:
    return _render_change(change_id)


def _parse_fields(form: Any) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for f in EDITABLE_FIELDS:
        if f.kind == "fees":
            values[f.key] = {"charged": form.get("fees_charged") == "yes", "standard": form.get("fees_standard", ""),
                             "basis": form.get("fees_basis", "")}
        elif f.kind == "kinds":
            values[f.key] = form.getlist(f.key)
        elif f.key not in form:
            continue
        elif f.kind == "int":
            raw = form.get(f.key, "").strip()
            texts[f.key] = raw
            if raw:
                try:
                    values[f.key] = int(raw)
                except ValueError:
                    errors[f.key] = _text("integer")
        elif f.kind in LAYOUTS:
            raw = form.get(f.key, "")
            texts[f.key] = raw
            parsed, problem = from_text(f.kind, raw)
            if problem:
                errors[f.key] = problem
            else:
                values[f.key] = parsed
        else:
            values[f.key] = form.get(f.key, "").strip()
    return values, errors, texts


@bp.route("/changes/<int:change_id>/fields", methods=["POST"])
@role_required("drafter", "legal", "admin")
def save_fields(change_id: int) -> Any:
    values, errors, texts = _parse_fields(request.form)
    try:
        with runtime().sessions.begin() as s:
            _visible_or_404(s, change_id)
            change = s.get(CatalogChange, change_id)
            if change is None:
                abort(404)
            if not may_edit(s, g.user, change.department_id):
                abort(403)
            problems = update_fields(s, change, values, actor=g.user.username)
    except RuntimeProblem as exc:
        flash(exc.message(select_locale()))
        return redirect(url_for("catalog.change", change_id=change_id))
    errors.update({k: _text(v) for k, v in problems.items()})
    if errors:
        flash(_("部分内容有误，其余已保存。"))
        return _render_change(change_id, errors=errors, texts=texts, status=422)
    flash(_("已保存。"))
    return redirect(url_for("catalog.change", change_id=change_id))


@bp.route("/changes/<int:change_id>/upload/<which>", methods=["POST"])
@role_required("drafter", "legal", "admin")
@limit_body(max_bytes_limit, file=True)
def upload(change_id: int, which: str) -> Any:
    if which not in ("internal", "external"):
        abort(404)
    file = request.files.get("file")
    chosen = file is not None and bool(file.filename)
    # One byte past the flowchart limit is enough for the checker to say "too large" (SUNSHINE_MAX_BPMN_BYTES).
    data = file.stream.read(max_bytes_limit() + 1) if file is not None else b""
    rt = runtime()
    try:
        with rt.sessions.begin() as s:
            _visible_or_404(s, change_id)
            change = s.get(CatalogChange, change_id)
            if change is None:
                abort(404)
            if not may_edit(s, g.user, change.department_id):
                abort(403)
            had = bool(change.internal_bpmn if which == "internal" else change.external_bpmn)
            if not chosen and not data:
                if change.status not in EDITABLE:
                    raise RuntimeProblem("catalog.not_editable")
                result = None
            else:
                result = store_flowchart(s, change, which, data, actor=g.user.username, forms=rt.forms,
                                         lang=select_locale())
    except RuntimeProblem as exc:
        flash(exc.message(select_locale()))
        return redirect(url_for("catalog.change", change_id=change_id))
    if result is None or not result.stored:
        reason = result.problems[0].message if result and result.problems else _("未选择文件。")
        flash(_("流程图未上传，原有流程图保持不变。原因：%(reason)s", reason=reason) if had
              else _("流程图未上传。原因：%(reason)s", reason=reason))
        return _render_change(change_id, problems={which: result.problems} if result else {}, status=422)
    if result.problems:
        flash(_("流程图已上传，但有以下问题需要处理。"))
        return _render_change(change_id, problems={which: result.problems}, status=422)
    flash(_("流程图已上传并通过检查。"))
    return redirect(url_for("catalog.change", change_id=change_id))


def _stored_flowchart(change_id: int, which: str) -> tuple[Any, str | None, bool]:
    if which not in ("internal", "external"):
        abort(404)
    with runtime().reader() as s:
        _visible_or_404(s, change_id)
        file = change_file(s, change_id)
        if file is None:
            abort(404)
        can_model = may_model(s, g.user, file.change.department_id)
    return file, file.change.internal_bpmn if which == "internal" else file.change.external_bpmn, can_model


@bp.route("/changes/<int:change_id>/flowchart/<which>/view")
@login_required
def flowchart_view(change_id: int, which: str) -> Any:
    """The request's stored flowchart, read-only, for everyone who may see the request."""
    file, xml, can_model = _stored_flowchart(change_id, which)
    return render_template("catalog/flowchart.html", file=file, which=which, stored=bool(xml), can_model=can_model)


@bp.route("/changes/<int:change_id>/flowchart/<which>/view.bpmn")
@login_required
def flowchart_bpmn(change_id: int, which: str) -> Any:
    _, xml, _ = _stored_flowchart(change_id, which)
    if not xml:
        abort(404)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.route("/powers/<int:power_id>")
@login_required
def power(power_id: int) -> Any:
    lang = select_locale()
    with runtime().reader() as s:
        target = s.get(Power, power_id)
        if target is None or target.status == "internal" or not may_see_power(s, g.user, power_id):
            abort(404)
        history = versions(s, power_id)
        linkable = visible_change_ids(s, g.user, [v.change_id for v in history if v.change_id])
    numbers = [v.number for v in history]
    a = request.args.get("a", type=int) or (numbers[-2] if len(numbers) > 1 else None)
    b = request.args.get("b", type=int) or (numbers[-1] if numbers else None)
    by_number = {v.number: v for v in history}
    va, vb = by_number.get(a) if a else None, by_number.get(b) if b else None
    field_diff = diff_fields(va.fields if va else {}, vb.fields if vb else {}, lang) if vb else []
    flow_diff = diff_flowcharts(va.internal_bpmn if va else None, vb.internal_bpmn if vb else None) if vb else []
    return render_template("catalog/power.html", power=target, versions=history, a=a, b=b, field_diff=field_diff,
                           flow_diff=flow_diff, categories=CATEGORIES, linkable=linkable)
