"""APScheduler wiring: run the tick every ``tick_seconds``, in the web process or on its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.runtime.runtime import Runtime
from engine.supervisor.tick import tick

log = logging.getLogger("sunshine.supervisor")


def _job(rt: Runtime) -> None:
    try:
        result = tick(rt)
        if result.fired_cases or result.yellow or result.red or result.limit_red:
            log.info("tick: fired %s cases, %s yellow, %s red, %s case time-limit", result.fired_cases,
                     result.yellow, result.red, result.limit_red)
    except Exception:  # a failed tick must not stop the next one
        log.exception("supervisor tick failed")


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
