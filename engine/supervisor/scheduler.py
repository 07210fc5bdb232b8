"""APScheduler wiring: run the tick every ``tick_seconds``, in the web process or on its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine import audit
from engine.runtime.runtime import Runtime
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


def start_background(rt: Runtime) -> BackgroundScheduler:
    """Start ticking in a thread of this process (``make run``)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_job, "interval", seconds=rt.settings.tick_seconds, args=[rt], id="tick",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    scheduler.start()
    return scheduler


def run_forever(rt: Runtime) -> None:
    """Tick until interrupted (``sunshine supervisor``)."""
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(_job, "interval", seconds=rt.settings.tick_seconds, args=[rt], id="tick",
                      max_instances=1, coalesce=True)
    log.info("supervisor ticking every %s s", rt.settings.tick_seconds)
    scheduler.start()
