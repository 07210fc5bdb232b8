"""Two supervisor processes ticking at the same moment, each with its own engine and connections."""

from __future__ import annotations

import threading
from datetime import datetime

import time_machine

from engine.db import make_engine, session_factory
from engine.runtime.runtime import Runtime
from engine.supervisor.tick import TickResult, tick


def race_two_supervisors(rt: Runtime, url: str, at: datetime) -> list[TickResult]:
    """Run one tick in ``rt`` and one in a second runtime on ``url`` at once, at ``at``; their results."""
    other_engine = make_engine(url)
    second = Runtime(session_factory(other_engine), rt.settings)
    barrier = threading.Barrier(2)
    results: list[TickResult] = []
    errors: list[BaseException] = []

    def run(runtime: Runtime) -> None:
        try:
            barrier.wait()
            results.append(tick(runtime))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=run, args=(r,)) for r in (rt, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    other_engine.dispose()
    if errors:
        raise errors[0]
    return results
