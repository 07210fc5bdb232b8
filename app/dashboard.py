"""The supervisor's dashboard (监察仪表盘) and patrols (巡查): figures for their scope, drilling down to cases.

Thin: the figures come from ``engine/supervision/dashboard.py``, the scope from ``engine/supervision/scope.py``,
patrols from ``engine/supervision/patrols.py``. The charts' data is a JSON request read by
``static/js/dashboard.js`` (no inline script: app/headers.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from app import runtime, select_locale
from app.auth import role_required
from app.i18n import gettext as _
from app.inputs import int_arg
from engine import clock
from engine.store import Department, Power, Region
from engine.supervision.dashboard import DRILLS, NO_POST, drill, main_figures, trends
from engine.supervision.patrols import (
    LookedAt,
    PatrolProblem,
    duties_in,
    lapses_in,
    patrols_in,
    record_patrol,
    set_duty,
)
from engine.supervision.scope import ScopeProblem, assign, placements, scope_of, unplace

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

SUPERVISES = ("supervisor", "admin")


@bp.route("/")
@role_required(*SUPERVISES)
def index() -> Any:
    rt = runtime()
    now = clock.now()
    with rt.reader() as s:
        scope = scope_of(s, g.user)
        figures = main_figures(s, scope, now, calendar=rt.calendar)
    # 督办's list, once its blueprint (app/directives.py) has one.
    directives_url = url_for("directives.index") if "directives.index" in current_app.view_functions else None
    return render_template("dashboard/index.html", f=figures, scope=scope, now=now, no_post=NO_POST,
                           directives_url=directives_url,
                           warnings=rt.calendar.warnings_for(now, lang=select_locale()))


@bp.route("/trends.json")
@role_required(*SUPERVISES)
def trends_json() -> Any:
    """The trend charts' series: weeks and months of the scope."""
    rt = runtime()
    with rt.reader() as s:
        data = trends(s, scope_of(s, g.user), clock.now(), calendar=rt.calendar)
    return jsonify(data)


@bp.route("/cases")
@role_required(*SUPERVISES)
def cases() -> Any:
    """The cases behind one number of the dashboard."""
    what = request.args.get("what", "")
    if what not in DRILLS:
        abort(404)
    department_id, power_id, post_id = int_arg("department"), int_arg("power"), int_arg("post", low=0)
    rt = runtime()
    with rt.reader() as s:
        scope = scope_of(s, g.user)
        if department_id is not None and not scope.has_department(department_id):
            abort(404)
        found = drill(s, scope, clock.now(), what, department_id=department_id, power_id=power_id, post_id=post_id,
                      calendar=rt.calendar)
        department = s.get(Department, department_id) if department_id is not None else None
        power = s.get(Power, power_id) if power_id is not None else None
    return render_template("dashboard/cases.html", drill=found, what=what, department=department, power=power,
                           post_id=post_id, no_post=NO_POST)


# ---- patrols ------------------------------------------------------------------------------------------------------


def _ids(name: str) -> tuple[int, ...]:
    out = []
    for raw in request.form.getlist(name):
        for part in raw.replace("，", ",").replace(" ", ",").split(","):
            if part.strip().isdigit():
                out.append(int(part.strip()))
    return tuple(out)


def _case_ids(session: Any, serials: str) -> tuple[tuple[int, ...], list[str]]:
    """The ids of the cases named by serial (one per line or comma); the serials not found."""
    from engine.store import Case

    wanted = [w.strip() for w in serials.replace("，", ",").replace("\n", ",").split(",") if w.strip()]
    found = dict(session.execute(select(Case.serial, Case.id).where(Case.serial.in_(wanted))).all()) if wanted else {}
    return tuple(found.values()), [w for w in wanted if w not in found]


def _patrolled_at(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    local = datetime.fromisoformat(text)  # the browser's datetime-local, Beijing time
    return local.replace(tzinfo=clock.LOCAL_TZ).astimezone(UTC) if local.tzinfo is None else local


@bp.route("/patrols", methods=["GET", "POST"])
@role_required(*SUPERVISES)
def patrols() -> Any:
    """巡查记录: record a patrol; the scope's patrols, duties and missed patrols."""
    rt = runtime()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        with rt.sessions() as s, s.begin():
            case_ids, unknown = _case_ids(s, request.form.get("cases", ""))
            try:
                if unknown:
                    raise PatrolProblem("cases", _("未找到办件：%(serials)s", serials="、".join(unknown)), "")
                moment = _patrolled_at(request.form.get("patrolled_at", ""))
                record_patrol(s, g.user, looked=LookedAt(_ids("departments"), _ids("powers"), case_ids),
                              findings=request.form.get("findings", ""), patrolled_at=moment,
                              region_id=int_arg("region", source=request.form))
            except ValueError as exc:
                s.rollback()
                if isinstance(exc, PatrolProblem):
                    errors[exc.field] = exc.message(select_locale()) or exc.zh
                else:
                    errors["patrolled_at"] = _("巡查时间格式有误。")
        if not errors:
            flash(_("巡查记录已保存。"))
            return redirect(url_for("dashboard.patrols"))
    with rt.reader() as s:
        scope = scope_of(s, g.user)
        region_filter = int_arg("region") if request.method == "GET" else None
        rows = patrols_in(s, scope, region_id=region_filter)
        duties = duties_in(s, scope, rt.calendar)
        lapses = lapses_in(s, scope)
        departments = list(s.execute(select(Department).where(scope.departments(Department.id))
                                     .order_by(Department.code)).scalars())
        regions = list(s.execute(select(Region).order_by(Region.code)).scalars())
        regions = [r for r in regions if scope.has_region(r.id)] if scope.department_id is None else []
        names = {d.id: d.name for d in s.execute(select(Department)).scalars()}
        region_names = {r.id: r.name for r in s.execute(select(Region)).scalars()}
    return render_template("dashboard/patrols.html", rows=rows, duties=duties, lapses=lapses, scope=scope,
                           departments=departments, regions=regions, names=names, region_names=region_names,
                           errors=errors, values=values, chosen=set(request.form.getlist("departments")),
                           region_filter=region_filter,
                           now=clock.now()), (400 if errors else 200)


@bp.route("/patrols/duty", methods=["POST"])
@role_required(*SUPERVISES)
def patrol_duty() -> Any:
    """Set a region's patrol duty (K patrols every N working days; 0 days removes it)."""
    region_id = int_arg("region", source=request.form)
    raw = request.form.get("every_workdays", "").strip()
    days = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else None
    raw_times = request.form.get("times", "1").strip() or "1"
    times = int(raw_times) if raw_times.isascii() and raw_times.isdigit() and len(raw_times) < 4 else None
    if region_id is None or days is None or times is None:
        flash(_("请选择地区并填写巡查周期（工作日）。"))
        return redirect(url_for("dashboard.patrols"))
    try:
        with runtime().sessions.begin() as s:
            set_duty(s, g.user, region_id, days, times=times)
    except PatrolProblem as exc:
        flash(exc.message(select_locale()))
        return redirect(url_for("dashboard.patrols"))
    flash(_("巡查频次已设置。"))
    return redirect(url_for("dashboard.patrols"))


# ---- supervisors' scopes (administrators) -------------------------------------------------------------------------


@bp.route("/scopes", methods=["GET", "POST"])
@role_required("admin")
def scopes() -> Any:
    """监察范围: where each supervisor watches (a region and those below, a department's office, or everywhere)."""
    rt = runtime()
    if request.method == "POST":
        user_id = int_arg("user", source=request.form)
        where = request.form.get("where", "")
        kind, _sep, raw = where.partition(":")
        target = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
        if user_id is None or kind not in ("region", "department", "all") or (kind != "all" and target is None):
            flash(_("请选择监察人员和监察范围。"))
            return redirect(url_for("dashboard.scopes"))
        try:
            with rt.sessions.begin() as s:
                if kind == "all":
                    unplace(s, user_id, actor=g.user.username)
                else:
                    assign(s, user_id, actor=g.user.username, **{f"{kind}_id": target})
        except ScopeProblem:
            flash(_("无法设置该监察范围：请确认所选人员是监察人员、所选地区或部门存在。"))
            return redirect(url_for("dashboard.scopes"))
        flash(_("监察范围已设置。"))
        return redirect(url_for("dashboard.scopes"))
    with rt.reader() as s:
        people = placements(s)
        regions = list(s.execute(select(Region).order_by(Region.code)).scalars())
        departments = list(s.execute(select(Department).order_by(Department.code)).scalars())
    return render_template("dashboard/scopes.html", people=people, regions=regions, departments=departments)
