"""Staff workspace: inbox, start a case at the window, work a step, read a case file."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import login_required
from app.inputs import bounded_ids, int_arg
from engine import clock
from engine.access import (
    APPLICATION,
    INTAKES,
    PENALTY,
    Intake,
    RegistrationRefused,
    holds_intake_post,
    may_see_case,
    registrable_powers,
    registration_refusal,
    visible_cases,
)
from engine.applicant_ids import normalise_id
from engine.casefile import case_file
from engine.inbox import counts_by_post
from engine.inbox import inbox as inbox_rows
from engine.runtime.applicant import problem_message
from engine.runtime.cases import (
    Applicant,
    can_work,
    complete_task,
    register_case,
    registration_problems,
)
from engine.runtime.errors import RuntimeProblem
from engine.runtime.stepforms import opening_values, step_results
from engine.store import Case, CatalogChange, OpenTask, Power, StepRecord

bp = Blueprint("work", __name__, url_prefix="/work")
bounded_ids(bp)  # <int:case_id> and every other id in the application's URLs: see app/inputs.py

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
    post = int_arg("post")  # an id no column holds is a 400, not a driver overflow
    with runtime().reader() as s:
        rows = inbox_rows(s, g.user.id, due_before=due_before, post_id=post)
        counts = counts_by_post(s, g.user.id)
    return render_template("work/inbox.html", rows=rows, counts=counts, now=clock.now(),
                           due_before=request.args.get("due_before", ""), post=post)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case() -> Any:
    """受理登记: a holder of a department's 受理 post registers an application for one of its powers."""
    return _register(APPLICATION)


@bp.route("/penalties/new", methods=["GET", "POST"])
@login_required
def new_penalty() -> Any:
    """立案登记: a holder of a department's 立案 post opens a penalty case (the party, the case cause)."""
    return _register(PENALTY)


def _register(intake: Intake) -> Any:
    # Who may open which cases is the engine's rule (engine.access); the list offers exactly those powers.
    lang = select_locale()
    with runtime().reader() as s:
        powers = s.execute(registrable_powers(g.user.id, intake)).scalars().all()
    values: dict[str, str] = dict(request.form) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        applicant = Applicant(values.get("applicant_name", "").strip(), values.get("applicant_id_type", "").strip(),
                              normalise_id(values.get("applicant_id_number", "")),
                              values.get("applicant_contact", "").strip())
        subject = values.get("subject", "").strip()
        typed = {**applicant.columns(), "subject": subject}
        errors = {k: problem_message(k, code, lang, typed.get(k))
                  for k, code in registration_problems(applicant, subject).items()}
        if values.get("power") not in {p.code for p in powers}:
            errors["power"] = _refusal(values.get("power", ""), intake, lang) or _("请从列表中选择。")
        if not errors:
            try:
                case = register_case(runtime(), g.user, values["power"], applicant, subject, intake=intake)
            except RegistrationRefused as exc:  # the posts changed since the list was read
                errors["power"] = exc.message(lang)
            except RuntimeProblem as exc:
                flash(exc.message(lang))
            else:
                flash(_("已登记办件 %(serial)s。", serial=case.serial) if intake == APPLICATION
                      else _("已立案，案件编号 %(serial)s。", serial=case.serial))
                return redirect(url_for("work.case", case_id=case.id))
    return render_template("work/new_case.html", powers=powers, values=values, errors=errors, id_types=ID_TYPES,
                           penalty=intake == PENALTY), (422 if errors else 200)


def _refusal(code: str, intake: Intake, lang: str) -> str | None:
    """The engine's reason why the signed-in user may not open a case of the power ``code`` here, if it exists."""
    with runtime().reader() as s:
        power = s.execute(select(Power).where(Power.code == code, Power.status == "published")).scalar_one_or_none()
        refusal = registration_refusal(s, g.user.id, power, intake) if power is not None else None
    return refusal.message(lang) if refusal is not None else None


@bp.app_context_processor
def _entries() -> dict[str, Any]:
    """``may_open('application' | 'penalty')`` for the navigation: the entry is shown to holders of its post."""

    def may_open(kind: str) -> bool:
        user = g.get("user")
        if user is None:
            return False
        with runtime().reader() as s:
            return holds_intake_post(s, user.id, INTAKES[kind])

    return {"may_open": may_open}


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
