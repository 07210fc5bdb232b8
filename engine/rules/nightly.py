"""The nightly sweep: the rules that look over everything once a day rather than as something happens (the
registry's rules with a ``sweep``: P2's stored-file check, D1, D2).

The supervisor schedules it at 01:30 Beijing time (``add_nightly_job``); any number of supervisors may run it,
since each alert is raised once per (case, subject, rule) whoever gets there first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from engine import clock
from engine.rules.registry import sweeping

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.schedulers.base import BaseScheduler

    from engine.runtime.runtime import Runtime

log = logging.getLogger("sunshine.supervisor")
#: When the sweep runs, Beijing time: after the day's work, before the next.
HOUR, MINUTE = 1, 30


def sweep(rt: Runtime, now: datetime | None = None) -> dict[str, int]:
    """Run every nightly rule at ``now``; the alerts each raised, by rule id. A rule that fails is logged and the
    others still run."""
    now = now or clock.now()
    raised: dict[str, int] = {}
    for rule in sweeping():
        assert rule.sweep is not None
        try:
            raised[rule.id] = rule.sweep(rt, now)
        except Exception:  # one rule's failure must not hide the others' findings
            log.exception("nightly rule %s failed", rule.id)
    return raised


def _job(rt: Runtime) -> None:
    raised = sweep(rt)
    if any(raised.values()):
        log.info("nightly sweep: %s", ", ".join(f"{rule} {n}" for rule, n in raised.items() if n))


def add_nightly_job(scheduler: BaseScheduler, rt: Runtime) -> Job:
    """Schedule the sweep every night at 01:30 Beijing time (a night missed while no supervisor ran is swept at
    the next start within the hour)."""
    return scheduler.add_job(_job, "cron", hour=HOUR, minute=MINUTE, timezone=clock.LOCAL_TZ, args=[rt],
                             id="nightly", max_instances=1, coalesce=True, misfire_grace_time=3600)
