"""The public hall (电子政务大厅): the published catalog with filters and full-text search, each power's page
with every public field and both flowcharts. No sign-in; secret powers do not exist here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from app import runtime, select_locale
from app.inputs import int_arg
from engine.catalog import public

bp = Blueprint("hall", __name__)
MAX_QUERY = 100  # a search box, not an essay: longer input is cut before it reaches the index


@bp.route("/")
def index() -> Any:
    lang = select_locale()
    department_id = int_arg("department")  # a malformed id is a 400 page, not a filter quietly dropped
    category = request.args.get("category", "").strip() or None
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    with runtime().reader() as s:
        rows = public.catalog(s, department_id=department_id, category=category, query=query or None, lang=lang)
        departments = public.departments_with_counts(s)
        categories = public.categories_with_counts(s, lang)
    total = sum(d.count for d in departments)
    return render_template("hall/index.html", rows=rows, departments=departments, categories=categories,
                           department_id=department_id, category=category, query=query, total=total)


@bp.route("/powers/<code>")
def power(code: str) -> Any:
    with runtime().reader() as s:
        page = public.power_page(s, code, select_locale())
    if page is None:
        abort(404)
    return render_template("hall/power.html", p=page)


@bp.route("/powers/<code>/flowchart/<which>.bpmn")
def flowchart(code: str, which: str) -> Any:
    with runtime().reader() as s:
        xml = public.flowchart(s, code, which)
    if not xml:
        abort(404)
    return Response(xml, mimetype="application/xml")
