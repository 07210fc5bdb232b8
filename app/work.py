"""Staff workspace: inbox, start a case at the window, work a step, read a case file."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import login_required
from app.files import attach_registration_materials, files_of, registration_uploads
from app.i18n import gettext as _
from app.inputs import bounded_ids, int_arg
from app.uploads import limit_body
from engine import clock
from engine.access import (
    APPLICATION,
    INTAKES,
    PENALTY,
    Intake,
    RegistrationRefused,
    holds_intake_post,
    may_see_case,
    may_work,
    registrable_powers,
    registration_refusal,
)
from engine.applicant_ids import ID_TYPE_TITLES, normalise_id
from engine.case_export import EXPORT_MAX, ExportTooLarge, export_cases
from engine.case_list import CASE_STATES, CaseFilter, TooManyMatches, case_counts, case_page, listed_powers
from engine.case_list import PAGE_SIZE as CASES_PAGE_SIZE
from engine.case_search import BadSearch, clean
from engine.casefile import case_file, step_file
from engine.files.answers import material_answers, uploaded_counts
from engine.inbox import (
    NARROW_CAP,
    SORTS,
    STATES,
    BadPageKey,
    InboxFilter,
    PageKey,
    SortKey,
    decode_key,
    inbox_counts,
    inbox_page,
)
from engine.inbox import PAGE_SIZE as INBOX_PAGE_SIZE
from engine.runtime.applicant import problem_message
from engine.runtime.cases import (
    Applicant,
    complete_task,
    register_case,
    registration_problems,
)
from engine.runtime.errors import RuntimeProblem
from engine.runtime.operations.reopened import reopened_values
from engine.runtime.stepforms import OWN_WORDS, opening_values, step_results
from engine.store import CatalogChange, OpenTask, Power
from engine.supervision.scope import SUPERVISOR, log_case_view

bp = Blueprint("work", __name__, url_prefix="/work")
bounded_ids(bp)  # <int:case_id> and every other id in the application's URLs: see app/inputs.py

ID_TYPES = list(ID_TYPE_TITLES)  # the 受理 forms offer the same (engine/applicant_ids.py)


def _parse_day_end(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        flash(_("日期格式应为 年-月-日。"))
        return None
    return datetime.combine(day, time(23, 59, 59), clock.LOCAL_TZ)


def _page_key(name: str, sort: str = "deadline") -> PageKey | SortKey | None:
    """The page key in query argument ``name``; one no link of ours carries is a 400."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return decode_key(raw, sort)
    except BadPageKey:
        abort(400)


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    """Query argument ``name`` if it is one of ``allowed``; absent is None, anything else a 400 (no link says it)."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    if raw not in allowed:
        abort(400)
    return raw


def _search() -> str:
    """The search box, trimmed; one that cannot run is dropped with a message saying why."""
    try:
        return clean(request.args.get("q"))
    except BadSearch as exc:
        flash({"search.too_short": _("请至少输入两个字符。"), "search.too_long": _("搜索内容过长。")}.get(
            exc.code, _("搜索内容含有不可见字符，请重新输入。")))
        return ""


@bp.route("/")
@login_required
def inbox() -> Any:
    """我的待办, a page at a time: ``after``/``before`` carry the key of the step the page follows or precedes;
    ``q`` searches, ``state`` filters (我的, 待认领, 被退回, 已超期, 已暂停), ``sort`` orders."""
    due_before = _parse_day_end(request.args.get("due_before"))
    post = int_arg("post")  # an id no column holds is a 400, not a driver overflow
    state, sort = _choice("state", STATES), _choice("sort", SORTS) or "deadline"
    search = _search()
    shown = InboxFilter(post_id=post, due_before=due_before, state=state, search=search, sort=sort)
    key_sort = sort if shown.bounded else "deadline"
    after, before = _page_key("after", key_sort), _page_key("before", key_sort)
    if after is not None and before is not None:
        abort(400)
    with runtime().reader() as s:
        page = inbox_page(s, g.user.id, shown, after=after, before=before)
        counts = inbox_counts(s, g.user.id, shown)
    links = {"post": post, "due_before": request.args.get("due_before", "") if due_before else None,
             "state": state, "q": search or None, "sort": sort if sort != "deadline" else None}
    return render_template("work/inbox.html", page=page, counts=counts, now=clock.now(),
                           due_before=links["due_before"] or "", post=post, state=state, search=search, sort=sort,
                           links=links, narrow_cap=NARROW_CAP, page_size=INBOX_PAGE_SIZE)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
@limit_body(lambda: runtime().settings.max_request_bytes, file=True)  # materials may come with it (app/files.py)
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
        materials, refused = registration_uploads(next((p.id for p in powers if p.code == values.get("power")), None))
        if refused:
            errors["materials"] = refused
        if not errors:
            try:
                case = register_case(runtime(), g.user, values["power"], applicant, subject, intake=intake)
            except RegistrationRefused as exc:  # the posts changed since the list was read
                errors["power"] = exc.message(lang)
            except RuntimeProblem as exc:
                flash(exc.message(lang))
            else:
                attach_registration_materials(case.id, materials)
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
        return user is not None and holds_intake_post(user, INTAKES[kind])

    return {"may_open": may_open}


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str) -> Any:
    rt = runtime()
    lang = select_locale()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        # A submission is the step's own work only: the case is read if the page must be shown again.
        with rt.reader() as s:
            row = s.get(OpenTask, task_id)
        if row is None:
            return _step_gone()
        if not may_work(g.user, row):
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
    with rt.reader() as s:
        file = step_file(s, task_id)
        if file is None:  # worked meanwhile (or never was)
            return _step_gone()
        row, allowed = file.step, may_work(g.user, file.step)
        if not allowed and not may_see_case(s, g.user, row.case_id):
            abort(403)
        # Steps of the catalog review (the platform's own, internal power) work on an adjustment request: link to
        # what is being reviewed.
        change_id = (s.execute(select(CatalogChange.id).where(CatalogChange.review_case_id == row.case_id)).scalar()
                     if file.case.power.status == "internal" else None)
        form = rt.forms.get(row.form) if row.form else None
        # A field the case already holds opens filled in; after a refused submission, what was typed shows. A form
        # of nothing but the step's own words (opinion, reason) opens empty: no need to restore the workflow.
        if request.method == "GET" and form is not None and allowed and any(
                f.name not in OWN_WORDS for f in form.fields):
            values = opening_values(rt, file.case, row.id, form)
        prefilled = None
        if request.method == "GET" and form is not None and allowed:  # 暂存 draft, or answers before a 退回
            values, prefilled = reopened_values(s, row, g.user, form, values, file.history)
        # Labelled in the reader's language; inside the read, which loads the flowchart if this process has not
        # parsed it yet.
        results = step_results(rt, file.case, file.history, _)
    # The case's files, read once for the checklist and for the yes/no fields a file answers (x-material).
    step_files = files_of(file.case, file.history, [row])
    proofs = uploaded_counts(step_files[0])
    if request.method == "GET" and form is not None and allowed:
        values = material_answers(form, step_files[0], values)
    form = form.localised(_) if form is not None else None  # titles and choices in the reader's language
    return render_template("work/task.html", task=row, file=file, form=form, values=values, errors=errors,
                           allowed=allowed, now=clock.now(), change_id=change_id, results=results,
                           prefilled=prefilled, step_files=step_files, proofs=proofs), \
        (422 if errors else 200)


def _step_gone() -> Any:
    flash(_("该环节已办理或已不存在。"))
    return redirect(url_for("work.inbox"))


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> Any:
    rt = runtime()
    if g.user.has_role(SUPERVISOR):  # a supervisor's view of personal data is logged (engine/supervision/scope.py)
        with rt.sessions.begin() as s:
            if may_see_case(s, g.user, case_id):
                log_case_view(s, g.user, case_id)
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


def _day(name: str) -> Any:
    """A date field of the case list (年-月-日); a malformed one is dropped with a message."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        flash(_("日期格式应为 年-月-日。"))
        return None


def _case_filter() -> CaseFilter:
    created_from, created_to = _day("from"), _day("to")
    return CaseFilter(search=_search(), state=_choice("state", CASE_STATES), power_id=int_arg("power"),
                      created_from=created_from, created_to=created_to)


def _case_links(f: CaseFilter) -> dict[str, Any]:
    """The filter as the query arguments its links carry."""
    return {"q": f.search or None, "state": f.state, "power": f.power_id,
            "from": f.created_from.isoformat() if f.created_from else None,
            "to": f.created_to.isoformat() if f.created_to else None}


@bp.route("/cases")
@login_required
def cases() -> Any:
    """办件: the cases the user may see, newest first, a page at a time (``after``/``before`` = a case id)."""
    f = _case_filter()
    after, before = int_arg("after"), int_arg("before")
    if after is not None and before is not None:
        abort(400)
    with runtime().reader() as s:
        try:
            page, counts = case_page(s, g.user, f, after=after, before=before), case_counts(s, g.user, f)
        except TooManyMatches:
            page, counts = None, None
        too_many = page is None
        powers = listed_powers(s)
    return render_template("work/cases.html", page=page, counts=counts, too_many=too_many, powers=powers, f=f,
                           links=_case_links(f),
                           now=clock.now(), narrow_cap=NARROW_CAP, export_max=EXPORT_MAX, page_size=CASES_PAGE_SIZE)


@bp.route("/cases/export.xlsx")
@login_required
def cases_export() -> Any:
    """办件导出: every case the filters select as an Excel workbook (an audit event: it holds personal data)."""
    f = _case_filter()
    try:
        with runtime().sessions.begin() as s:
            export = export_cases(s, g.user, f)
    except TooManyMatches:
        flash(_("匹配的办件超过 %(n)s 件，请输入更完整的流水号、证件号码或申请人名称。", n=NARROW_CAP))
        return redirect(url_for("work.cases", **_case_links(f)))
    except ExportTooLarge as exc:
        flash(_("所选办件超过 %(n)s 件，无法一次导出：请缩小日期范围或加上事项、状态条件。", n=exc.limit))
        return redirect(url_for("work.cases", **_case_links(f)))
    name = f"cases-{clock.local(clock.now()).strftime('%Y%m%d-%H%M')}.xlsx"
    return export.content, 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{name}"',
    }
