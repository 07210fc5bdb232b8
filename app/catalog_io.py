"""Catalog export and import for the legal office: download JSON or Excel, upload a file and read the report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import gettext as _

from app import runtime, select_locale
from app.auth import role_required
from engine import clock
from engine.catalog.export import export_json, export_xlsx
from engine.catalog.importer import MAX_BYTES, import_catalog

bp = Blueprint("catalog_io", __name__, url_prefix="/catalog/io")
MIMETYPES = {"json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/")
@role_required("legal", "admin")
def index() -> Any:
    return render_template("catalog_io/index.html", report=None, filename=None)


@bp.route("/export.<fmt>")
@role_required("legal", "admin")
def export(fmt: str) -> Any:
    if fmt not in MIMETYPES:
        abort(404)
    with runtime().reader() as s:
        data = export_json(s) if fmt == "json" else export_xlsx(s)
    name = f"catalog-{clock.local(clock.now()):%Y%m%d}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/import", methods=["POST"])
@role_required("legal", "admin")
def upload() -> Any:
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_template("catalog_io/index.html", report=None, filename=None,
                               missing=_("请选择要导入的 JSON 或 Excel 文件。")), 400
    # One byte over the limit is enough for the importer to say "too large" without reading it all.
    data = file.stream.read(MAX_BYTES + 1)
    rt = runtime()
    with rt.sessions.begin() as s:
        report = import_catalog(s, data, file.filename, actor=g.user.username, forms=rt.forms, lang=select_locale())
    return render_template("catalog_io/index.html", report=report, filename=file.filename), (
        400 if report.error else 200)
