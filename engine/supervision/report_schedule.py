"""What the supervisor's monthly job does on the 1st: the reports of the periods just ended, and their scores.

On the 1st of every month (00:30 Beijing time, ``engine/supervisor/scheduler.py``) it makes the platform's report of
the month just ended, of the quarter when one ended (1 January, April, July, October) and of the year on 1 January,
the same for each scope a supervisor is placed at (a region, a department's office), and stores the departments'
scores for the same periods under the current weights. It always works on the latest
finished periods, so a run on another day (a supervisor down on the 1st, started by hand) catches up, and a second
run, or a second supervisor process, changes nothing: each report and score is inserted once or skipped.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from apscheduler.job import Job
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.clock import LOCAL_TZ
from engine.files.storage import local_storage
from engine.runtime.runtime import Runtime
from engine.store import User
from engine.store.oversight import SupervisionScope
from engine.supervision.periods import KINDS, Period, local_day, period_of
from engine.supervision.report_content import PLATFORM, ReportScope
from engine.supervision.reports import SYSTEM, Generated, generate, report_scope
from engine.supervision.scope import scope_of
from engine.supervision.scores import period_scores

log = logging.getLogger("sunshine.reports")


def finished_periods(today: date) -> list[tuple[str, Period]]:
    """The latest finished month, quarter and year on ``today``."""
    return [(kind, period_of(kind, today).previous()) for kind in KINDS]


def placed_scopes(session: Session) -> list[ReportScope]:
    """The scopes supervisors are placed at (a region and below, or a department's office), each once, by key."""
    found: dict[str, ReportScope] = {}
    users = session.execute(select(User).join(SupervisionScope, SupervisionScope.user_id == User.id)).scalars()
    for user in users:
        scope = report_scope(scope_of(session, user))
        found.setdefault(scope.key, scope)
    return [found[k] for k in sorted(found)]


def run_monthly(rt: Runtime, now: datetime | None = None) -> list[Generated]:
    """Make (or find) the reports of the latest finished periods — the whole platform's first, then each placed
    supervisor's scope's — and store the platform's scores; one transaction per report."""
    now = now or clock.now()
    storage = local_storage(rt.settings.files_dir)
    with rt.reader() as session:
        scopes = [PLATFORM, *(s for s in placed_scopes(session) if s.key != PLATFORM.key)]
    results = []
    for scope in scopes:
        for kind, period in finished_periods(local_day(now)):
            with rt.sessions.begin() as session:
                made = generate(session, storage, rt.calendar, kind, period, scope, actor=SYSTEM, now=now)
                if scope is PLATFORM:
                    period_scores(session, rt.calendar, kind, period, now=now)
            if made.created:
                log.info("report made: %s %s %s", scope.key, kind, period.key)
            results.append(made)
    return results


def _job(rt: Runtime) -> None:
    try:
        run_monthly(rt)
    except Exception:  # a failed run must not stop the scheduler; the next start of the job catches up
        log.exception("monthly reports failed")


def add_report_job(scheduler: BaseScheduler, rt: Runtime) -> Job:
    """Schedule ``run_monthly`` at 00:30 Beijing time on the 1st of every month."""
    return scheduler.add_job(_job, CronTrigger(day=1, hour=0, minute=30, timezone=LOCAL_TZ), args=[rt],
                             id="monthly_reports", max_instances=1, coalesce=True, misfire_grace_time=6 * 3600)
