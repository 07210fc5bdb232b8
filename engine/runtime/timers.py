"""Fire a case's due timers (the supervisor's unit of work)."""

from __future__ import annotations

from datetime import datetime

from engine.runtime.inspect import armed_timers
from engine.runtime.runtime import Loaded, Runtime


def fire_due_timers(rt: Runtime, case_id: int, *, skip_locked: bool = False, actor: str = "supervisor") -> bool:
    """Fire whatever timers of the case are due and move it on; False when another process holds it."""
    with rt.locked(case_id, skip_locked=skip_locked) as loaded:
        if loaded is None:
            return False
        _fire(rt, loaded, actor)
        return True


def fire_if_due(rt: Runtime, case_id: int, due_at: datetime, *, actor: str = "supervisor") -> bool:
    """Claim the case if a timer of it is due at ``due_at`` and no other process holds it, then fire its due
    timers; False when it was not claimed or had nothing left to fire.

    Several supervisors may work through the same list of due cases: one that another has just fired is passed
    over by the claiming statement alone, without restoring its workflow.
    """
    with rt.locked_if_due(case_id, due_at) as loaded:
        if loaded is None:
            return False
        if not any(t.fire_at <= loaded.now for t in armed_timers(loaded.workflow)):
            return False  # fired between the other supervisor's commit and this claim: nothing to write
        return _fire(rt, loaded, actor)


def _fire(rt: Runtime, loaded: Loaded, actor: str) -> bool:
    if loaded.case.status != "running":
        return False
    rt.fire_due_timers(loaded)
    rt.save(loaded, actor)
    return True
