"""Staff workspace: inbox, start a case at the window, work a step, read a case file."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import login_required
from engine import clock
from engine.access import may_see_case, visible_cases
from engine.applicant_ids import normalise_id
from engine.casefile import case_file
from engine.identity import department_ids_of
from engine.inbox import counts_by_post
from engine.inbox import inbox as inbox_rows
from engine.runtime.applicant import problem_message
from engine.runtime.cases import (
    Applicant,
    can_work,
    complete_task,
    registration_problems,
    start_case,
)
from engine.runtime.errors import RuntimeProblem
from engine.runtime.stepforms import opening_values, step_results
from engine.store import Case, CatalogChange, OpenTask, Power, StepRecord

bp = Blueprint("work", __name__, url_prefix="/work")

ID_TYPES = ["居民身份证", "统一社会信用代码", "护照", "港澳居民来往内地通行证", "其他"]


def _parse_day_end(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        flash(_("日期格式应为 年-月-日。"))
        return None
    return datetime.combine(day, time(23, 59, 59), clock.LOCAL_TZ)


@bp.route("/")
@login_required
def inbox() -> Any:
    due_before = _parse_day_end(request.args.get("due_before"))
    post = request.args.get("post", type=int)
    with runtime().reader() as s:
        rows = inbox_rows(s, g.user.id, due_before=due_before, post_id=post)
        counts = counts_by_post(s, g.user.id)
    return render_template("work/inbox.html", rows=rows, counts=counts, now=clock.now(),
                           due_before=request.args.get("due_before", ""), post=post)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case() -> Any:
    # A clerk registers cases for the powers of the departments in which they hold a post, and only those.
    with runtime().reader() as s:
        departments = department_ids_of(s, g.user.id)
        powers = s.execute(select(Power).where(Power.status == "published", Power.department_id.in_(departments))
                           .order_by(Power.code)).scalars().all()
    values: dict[str, str] = dict(request.form) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        applicant = Applicant(values.get("applicant_name", "").strip(), values.get("applicant_id_type", "").strip(),
                              normalise_id(values.get("applicant_id_number", "")),
                              values.get("applicant_contact", "").strip())
        subject = values.get("subject", "").strip()
        lang = select_locale()
        errors = {k: problem_message(k, code, lang) for k, code in registration_problems(applicant, subject).items()}
        if values.get("power") not in {p.code for p in powers}:
            errors["power"] = _("请从列表中选择。")
        if not errors:
            try:
                case = start_case(runtime(), values["power"], applicant, subject, actor=g.user.username)
            except RuntimeProblem as exc:
                flash(exc.message(lang))
            else:
                flash(_("已登记办件 %(serial)s。", serial=case.serial))
                return redirect(url_for("work.case", case_id=case.id))
    return render_template("work/new_case.html", powers=powers, values=values, errors=errors, id_types=ID_TYPES), \
        (422 if errors else 200)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str) -> Any:
    rt = runtime()
    lang = select_locale()
    with rt.reader() as s:
        row = s.get(OpenTask, task_id)
        if row is None:
            flash(_("该环节已办理或已不存在。"))
            return redirect(url_for("work.inbox"))
        if not may_see_case(s, g.user, row.case_id):
            abort(403)
        file = case_file(s, row.case_id)
        allowed = can_work(s, row, g.user)
        # Steps of the catalog review work on an adjustment request: link to what is being reviewed.
        change_id = s.execute(select(CatalogChange.id).where(CatalogChange.review_case_id == row.case_id)).scalar()
        form = rt.forms.get(row.form) if row.form else None
        # A field the case already holds opens filled in; after a refused submission, what was typed shows.
        values: dict[str, Any] = {}
        if request.method == "GET" and form is not None and allowed:
            values = opening_values(rt, file.case, row.id, form)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not allowed:
            abort(403)
        values = {k: v for k, v in request.form.items() if k != "csrf"}
        try:
            case = complete_task(rt, task_id, values, g.user, lang=lang, translate=_)
        except RuntimeProblem as exc:
            errors = exc.fields
            flash(exc.message(lang))
        else:
            flash(_("「%(step)s」已办理，办件 %(serial)s 已流转。", step=row.name, serial=case.serial))
            return redirect(url_for("work.inbox"))
    form = form.localised(_) if form is not None else None  # titles and choices in the reader's language
    # Only a page that is shown needs the history labelled (case_file loaded the process version with the case).
    results = step_results(rt, file.case, file.history, _)
    return render_template("work/task.html", task=row, file=file, form=form, values=values, errors=errors,
                           allowed=allowed, now=clock.now(), change_id=change_id, results=results), \
        (422 if errors else 200)


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> Any:
    rt = runtime()
    with rt.reader() as s:
        file = case_file(s, case_id) if may_see_case(s, g.user, case_id) else None
        results = step_results(rt, file.case, file.history, _) if file is not None else {}
    if file is None:
        abort(404)
    return render_template("work/case.html", file=file, now=clock.now(), results=results)


@bp.route("/cases/<int:case_id>/flowchart.bpmn")
@login_required
def case_flowchart(case_id: int) -> Any:
    """The exact flowchart version the case runs on, for the viewer on the case page."""
    with runtime().reader() as s:
        file = case_file(s, case_id) if may_see_case(s, g.user, case_id) else None
    if file is None:
        abort(404)
    return file.case.process_version.bpmn_xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.route("/cases")
@login_required
def cases() -> Any:
    with runtime().reader() as s:
        rows = s.execute(select(Case).where(visible_cases(g.user)).order_by(Case.id.desc()).limit(100)
                         ).scalars().all()
        powers = {p.id: p.name for p in s.execute(select(Power)).scalars()}
        done = {r.case_id for r in s.execute(select(StepRecord.case_id)).all()}
    return render_template("work/cases.html", rows=rows, powers=powers, done=done)
