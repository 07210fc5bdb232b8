"""Fire a case's due timers (the supervisor's unit of work)."""

from __future__ import annotations

from engine.runtime.runtime import Runtime


def fire_due_timers(rt: Runtime, case_id: int, *, skip_locked: bool = False, actor: str = "supervisor") -> bool:
    """Fire whatever timers of the case are due and move it on; False when another process holds it."""
    with rt.locked(case_id, skip_locked=skip_locked) as loaded:
        if loaded is None:
            return False
        if loaded.case.status != "running":
            return True
        rt.fire_due_timers(loaded)
        rt.save(loaded, actor)
        return True
