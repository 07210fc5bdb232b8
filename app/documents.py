"""Legal documents: issue, correct, download and print; the templates the legal office edits (thin over
engine/documents)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import login_required, role_required
from app.files import storage
from app.i18n import gettext as _
from app.inputs import bounded_ids
from engine.access import intake_of, may_see_case
from engine.documents import issuing, templates
from engine.documents.errors import DocumentProblem
from engine.documents.kinds import KINDS, DocumentKind, kinds_for
from engine.documents.listing import case_documents, step_properties, step_requirements
from engine.documents.placeholders import CASE_FIELDS
from engine.documents.requirement import PROPERTY
from engine.documents.values import form_fields
from engine.store import Case, OpenTask
from engine.store.documents import Document

bp = Blueprint("documents", __name__, url_prefix="/documents")
bounded_ids(bp)


def _kind(code: str) -> DocumentKind:
    kind = KINDS.get(code)
    if kind is None:
        abort(404)
    return kind


#: Who edits templates: the legal office (``engine.documents.templates.EDITOR_ROLE``).
legal_only = role_required(templates.EDITOR_ROLE)


# ---- what the case page and the step page show -------------------------------------------------------------


@bp.app_context_processor
def _partials() -> dict[str, Any]:
    def documents_of_case(case: Case) -> Any:
        with runtime().reader() as s:
            return case_documents(s, g.user, case)

    def step_documents(case: Case, task: OpenTask) -> Any:
        rt = runtime()
        parsed = rt.codec.parsed_id(case.process_version_id, lambda: case.process_version)
        properties = step_properties([parsed.spec, *parsed.subprocess_specs.values()], task.bpmn_id)
        if PROPERTY not in properties:  # most steps: nothing to read
            return []
        with rt.reader() as s:
            return step_requirements(s, case.id, task.bpmn_id, properties)

    def document_kinds_for(case: Case) -> list[DocumentKind]:
        return kinds_for(intake_of(case.power.category).kind)

    return {"documents_of_case": documents_of_case, "step_documents": step_documents,
            "document_kinds_for": document_kinds_for}


# ---- issuing ----------------------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/issue", methods=["POST"])
@login_required
def issue(case_id: int) -> Any:
    """Issue a document of the case. From a step's page the step's form is posted along (``task_id``, and what is
    typed in it), in a new tab, so the form stays as typed; the answer is a page with the number and the PDF."""
    kind = request.form.get("document_kind", "")
    # The step's id rides in the button's URL: a field of its own would reach the step's form when it is submitted.
    task_id = request.args.get("task") or None
    current = {k: v for k, v in request.form.items() if k not in ("csrf", "document_kind")}
    rt = runtime()
    try:
        with rt.sessions.begin() as s:
            if not may_see_case(s, g.user, case_id):
                abort(404)
            issued = issuing.issue(s, rt, storage(), g.user, case_id, kind, task_id=task_id,
                                   current=current if task_id else None)
    except DocumentProblem as exc:
        if task_id:
            return render_template("documents/issued.html", issued=None, error=exc.message(select_locale()),
                                   case_id=case_id), 422
        flash(exc.message(select_locale()))
        return redirect(url_for("work.case", case_id=case_id) + "#documents")
    if task_id:
        return render_template("documents/issued.html", issued=issued, error=None, case_id=case_id)
    flash(_("已签发 %(title)s %(number)s。", title=issued.title, number=issued.number))
    return redirect(url_for("work.case", case_id=case_id) + "#documents")


@bp.route("/<int:document_id>/reissue", methods=["POST"])
@login_required
def reissue(document_id: int) -> Any:
    """A correction: a new number citing the document, with the reason."""
    rt = runtime()
    with rt.reader() as s:
        case_id = s.execute(select(Document.case_id).where(Document.id == document_id)).scalar()
        if case_id is None or not may_see_case(s, g.user, case_id):
            abort(404)
    try:
        with rt.sessions.begin() as s:
            issued = issuing.issue(s, rt, storage(), g.user, case_id, "", replaces_id=document_id,
                                   reason=request.form.get("reason", ""))
    except DocumentProblem as exc:
        flash(exc.message(select_locale()))
    else:
        flash(_("已签发更正文书 %(number)s。", number=issued.number))
    return redirect(url_for("work.case", case_id=case_id) + "#documents")


def _pdf(document_id: int, how: str) -> Any:
    try:
        with runtime().sessions.begin() as s:
            opened = issuing.open_document(s, storage(), g.user, document_id, how=how)
    except DocumentProblem as exc:
        flash(exc.message(select_locale()))
        return redirect(url_for("work.inbox"))
    if opened is None:
        abort(404)
    # The file name in ASCII (the number holds Chinese): document-<id>.pdf
    disposition = "inline" if how == "print" else "attachment"
    return Response(opened.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="document-{document_id}.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/<int:document_id>.pdf")
@login_required
def download(document_id: int) -> Any:
    return _pdf(document_id, "download")


@bp.route("/<int:document_id>/print")
@login_required
def print_(document_id: int) -> Any:
    """The PDF shown in the browser (its viewer prints it)."""
    return _pdf(document_id, "print")


# ---- templates (the legal office) ---------------------------------------------------------------------------


@bp.route("/templates")
@legal_only
def template_list() -> Any:
    with runtime().reader() as s:
        newest = templates.newest_versions(s)
    return render_template("documents/templates.html", kinds=list(KINDS.values()), newest=newest)


@bp.route("/templates/<code>", methods=["GET", "POST"])
@legal_only
def template_edit(code: str) -> Any:
    kind = _kind(code)
    rt = runtime()
    errors: dict[str, str] = {}
    with rt.reader() as s:
        history = templates.versions(s, kind.code)
    newest = history[0] if history else None
    values = {"title": newest.title if newest else kind.title, "body": newest.body if newest else "",
              "note": "", "based_on": str(newest.version if newest else 0)}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("title", "body", "note", "based_on")}
        based_on = int(values["based_on"]) if values["based_on"].isdigit() else -1
        lang = select_locale()
        found = templates.problems(values["title"], values["body"], form_fields(rt.forms))
        errors = {k: p.message(lang) for k, p in found.items()}
        if not errors:
            try:
                with rt.sessions.begin() as s:
                    saved = templates.save(s, g.user, kind, values["title"], values["body"], based_on=based_on,
                                           form_fields=form_fields(rt.forms), note=values["note"])
            except DocumentProblem as exc:
                errors = {"body": exc.message(lang)}
            else:
                flash(_("已保存「%(title)s」模板第 %(version)s 版。", title=saved.title, version=saved.version))
                return redirect(url_for("documents.template_edit", code=kind.code))
        flash(_("模板未保存，请按提示修改。"))
    fields = form_fields(rt.forms)
    return render_template("documents/template_edit.html", kind=kind, values=values, errors=errors,
                           history=history, case_fields=CASE_FIELDS,
                           step_fields=sorted((f.name, f.title) for f in fields.values())), (422 if errors else 200)


@bp.route("/templates/<code>/preview", methods=["POST"])
@legal_only
def template_preview(code: str) -> Any:
    """The template as typed, rendered with blanks where a case's values go; nothing is stored."""
    kind = _kind(code)
    title, body = request.form.get("title", ""), request.form.get("body", "")
    rt = runtime()
    found = templates.problems(title, body, form_fields(rt.forms))
    if found:
        lang = select_locale()
        return render_template("documents/preview_error.html", kind=kind,
                               messages=[p.message(lang) for p in found.values()]), 422
    with rt.reader() as s:
        pdf = issuing.preview(s, kind, title.strip(), body.replace("\r\n", "\n"))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="preview-{kind.code}.pdf"', "Cache-Control": "no-store"})

