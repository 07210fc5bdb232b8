"""Supervision (电子监察): alerts as they are raised, and the calendar coverage warning."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import func, select

from app import runtime, select_locale
from app.auth import role_required
from engine import clock
from engine.store import Alert, Case, Department

bp = Blueprint("watch", __name__, url_prefix="/watch")


@bp.route("/")
@role_required("supervisor", "admin")
def alerts() -> Any:
    rt = runtime()
    with rt.reader() as s:
        rows = s.execute(
            select(Alert, Case.serial, Department.name).join(Case, Case.id == Alert.case_id)
            .join(Department, Department.id == Alert.department_id).order_by(Alert.raised_at.desc()).limit(300)
        ).all()
        counts = dict(s.execute(select(Alert.level, func.count()).group_by(Alert.level)).all())
    warnings = rt.calendar.warnings_for(clock.now(), lang=select_locale())
    return render_template("watch/alerts.html", rows=rows, counts=counts, warnings=warnings)
