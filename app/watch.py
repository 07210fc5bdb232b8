"""Supervision (电子监察): open alerts (closed ones on request), the rules in force, and the calendar coverage
warning.

Also the filter every page showing a deadline uses to warn when its year's official holiday schedule is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, g, render_template, request
from sqlalchemy import func, select

from app import runtime, select_locale
from app.auth import role_required
from engine import clock
from engine.calendar import uncovered_message
from engine.rules.registry import rules as rules_in_force
from engine.store import Alert, Case, Department
from engine.store.case import ALERT_CLOSED, ALERT_OPEN
from engine.supervision.patrols import lapses_in
from engine.supervision.scope import scope_of

bp = Blueprint("watch", __name__, url_prefix="/watch")

#: Which alerts the page lists: the open ones unless asked otherwise.
STATES = (ALERT_OPEN, ALERT_CLOSED, "all")
#: Alerts listed on the page, newest first (the ledger lists them all).
SHOWN = 300


@bp.route("/")
@role_required("supervisor", "admin")
def alerts() -> Any:
    state = request.args.get("state", ALERT_OPEN)
    if state not in STATES:
        state = ALERT_OPEN
    rt = runtime()
    query = (select(Alert, Case.serial, Department.name).join(Case, Case.id == Alert.case_id)
             .join(Department, Department.id == Alert.department_id).order_by(Alert.raised_at.desc())
             .limit(SHOWN + 1))
    if state != "all":
        query = query.where(Alert.status == state)
    with rt.reader() as s:
        # Supervision by level: a supervisor sees the alerts of their scope only (engine/supervision/scope.py).
        scope = scope_of(s, g.user)
        scoped = scope.departments(Alert.department_id)
        rows = s.execute(query.where(scoped)).all()
        # The newest SHOWN only, and said so: the ledger (处置台账) pages through every alert with filters.
        more, rows = len(rows) > SHOWN, rows[:SHOWN]
        # Missed patrols (rule W1) are the region's alerts, not a case's: listed here with the case alerts.
        lapses = lapses_in(s, scope, limit=10)
        counts = dict(s.execute(select(Alert.level, func.count()).where(Alert.status == ALERT_OPEN, scoped)
                                .group_by(Alert.level)).all())
        closed = s.execute(select(func.count()).select_from(Alert).where(Alert.status == ALERT_CLOSED, scoped)
                           ).scalar()
    lang = select_locale()
    warnings = rt.calendar.warnings_for(clock.now(), lang=lang)
    return render_template("watch/alerts.html", rows=rows, counts=counts, closed=closed, state=state,
                           warnings=warnings, rules=rules_in_force(), lang=lang, more=more, shown=SHOWN,
                           lapses=lapses)


def _deadline_day(moment: datetime) -> date:
    # A deadline at 24:00 is the instant 00:00 of the next day; the law (and the calendar) count the day before.
    shown = clock.local(moment)
    return shown.date() - timedelta(days=1) if shown.time() == time(0) else shown.date()


@bp.app_template_filter("calendar_warnings")
def calendar_warnings(moments: datetime | None | Iterable[datetime | None]) -> list[str]:
    """The warnings for the years of these deadlines whose official holiday schedule is not entered, in the
    reader's language (one per year; none when every year is covered)."""
    if moments is None or isinstance(moments, datetime):
        moments = [moments]
    covered = runtime().calendar.covered_years
    years = sorted({_deadline_day(m).year for m in moments if m is not None} - covered)
    lang = select_locale()
    return [uncovered_message(year, lang) for year in years]
