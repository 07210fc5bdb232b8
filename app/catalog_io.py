"""Catalog export and import for the legal office: download JSON or Excel, upload a file and read the report.

An upload either opens an adjustment request with its review case per row (the default) or, as a migration
import, publishes at once on a named approval (engine/catalog/importer.py); the page says which it does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request

from app import runtime, select_locale
from app.auth import role_required
from app.i18n import gettext as _
from app.uploads import limit_body
from engine import clock
from engine.catalog.access import IMPORTERS
from engine.catalog.export import export_json, export_xlsx
from engine.catalog.importer import MAX_BYTES, ThroughReview, approval_problems, displayable, import_catalog
from engine.catalog.publish import Approval

bp = Blueprint("catalog_io", __name__, url_prefix="/catalog/io")
MIMETYPES = {"json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/")
@role_required(*IMPORTERS)
def index() -> Any:
    return _page()


@bp.route("/export.<fmt>")
@role_required(*IMPORTERS)
def export(fmt: str) -> Any:
    if fmt not in MIMETYPES:
        abort(404)
    with runtime().reader() as s:
        data = export_json(s) if fmt == "json" else export_xlsx(s)
    name = f"catalog-{clock.local(clock.now()):%Y%m%d}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/import", methods=["POST"])
@role_required(*IMPORTERS)
@limit_body(lambda: MAX_BYTES, file=True)  # a larger body is refused before its file is read (413)
def upload() -> Any:
    lang = select_locale()
    values = {k: request.form.get(k, "").strip() for k in ("route", "approval_document", "approved_by")}
    migration = values["route"] == "migration"
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(values, missing=_("请选择要导入的 JSON 或 Excel 文件。")), 400
    rt = runtime()
    route: ThroughReview | Approval = ThroughReview(rt)
    if migration:
        # A migration publishes without the review chain: it names the approval it rests on, or nothing happens.
        route = Approval(values["approval_document"], values["approved_by"])
        if problems := approval_problems(route, lang):
            return _page(values, approval_errors=problems), 400
    # One byte over the limit is enough for the importer to say "too large" without reading it all.
    data = file.stream.read(MAX_BYTES + 1)
    with rt.sessions.begin() as s:
        report = import_catalog(s, data, file.filename, actor=g.user.username, forms=rt.forms, route=route,
                                lang=lang)
    return _page(values, report=report, filename=displayable(file.filename)), 400 if report.error else 200


def _page(values: dict[str, str] | None = None, **context: Any) -> str:
    context.setdefault("report", None)
    context.setdefault("filename", None)
    context.setdefault("approval_errors", {})
    return render_template("catalog_io/index.html", values=values or {}, **context)
