"""APScheduler wiring: tick at start-up, then every ``tick_seconds``, in the web process or on its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine import audit
from engine.rules.nightly import add_nightly_job
from engine.runtime.runtime import Runtime
from engine.supervision.report_schedule import add_report_job
from engine.supervisor.tick import tick

log = logging.getLogger("sunshine.supervisor")


def _job(rt: Runtime) -> None:
    try:
        result = tick(rt)
        if result.did_anything:
            log.info("tick: %s", result.summary)
    except Exception:  # a failed tick must not stop the next one
        log.exception("supervisor tick failed")
    try:  # the tick's own events too: what is unsealed is never older than one tick (docs/audit.md)
        audit.checkpoint(rt.sessions, rt.settings.audit_checkpoint_path)
    except Exception:
        log.exception("audit checkpoint failed")


def add_tick(scheduler: BaseScheduler, rt: Runtime) -> Job:
    """Schedule the tick on ``scheduler``: the first as soon as it starts (what fell due while no supervisor ran
    waits no longer), then every ``tick_seconds``.

    A tick still running when the next is due is not doubled; a tick that comes late (a busy process, a long
    tick before it) still runs, once, instead of being dropped until the next interval.
    """
    return scheduler.add_job(_job, "interval", seconds=rt.settings.tick_seconds, args=[rt], id="tick",
                             max_instances=1, coalesce=True, misfire_grace_time=None,
                             next_run_time=datetime.now(UTC))


def start_background(rt: Runtime, scheduler: BackgroundScheduler | None = None) -> BackgroundScheduler:
    """Start ticking in a thread of this process (``make run``)."""
    scheduler = scheduler or BackgroundScheduler(timezone="UTC")
    add_tick(scheduler, rt)
    add_report_job(scheduler, rt)  # the reports and scores of the month just ended, on the 1st
    add_nightly_job(scheduler, rt)  # the nightly rules (P2's stored files, D1, D2): engine/rules/nightly.py
    scheduler.start()
    return scheduler


def run_forever(rt: Runtime, scheduler: BlockingScheduler | None = None) -> None:
    """Tick until interrupted (``sunshine supervisor``)."""
    scheduler = scheduler or BlockingScheduler(timezone="UTC")
    add_tick(scheduler, rt)
    add_report_job(scheduler, rt)  # the reports and scores of the month just ended, on the 1st
    add_nightly_job(scheduler, rt)  # the nightly rules (P2's stored files, D1, D2): engine/rules/nightly.py
    log.info("supervisor ticking every %s s", rt.settings.tick_seconds)
    scheduler.start()
