"""Two supervisor processes ticking at the same moment, each with its own engine and connections."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy import select

from engine.db import make_engine, session_factory
from engine.runtime.runtime import Runtime
from engine.store import ProcessVersion
from engine.supervisor.tick import TickResult, tick


def race_two_supervisors(rt: Runtime, url: str, at: datetime, **options: Any) -> list[TickResult]:
    """Run one tick in ``rt`` and one in a second runtime on ``url`` at once, at ``at``; their results (``rt``'s
    first). ``options`` go to both ticks."""
    other_engine = make_engine(url)
    second = Runtime(session_factory(other_engine), rt.settings)
    for runtime in (rt, second):  # connected, with the flowcharts parsed, so neither starts far behind
        with runtime.reader() as s:
            for version in s.execute(select(ProcessVersion)).scalars():
                runtime.codec.parsed(version)
        with runtime.sessions() as s:
            s.execute(select(1))
    barrier = threading.Barrier(2)
    results: dict[int, TickResult] = {}
    errors: list[BaseException] = []

    def run(n: int, runtime: Runtime) -> None:
        try:
            barrier.wait()
            results[n] = tick(runtime, **options)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate((rt, second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    other_engine.dispose()
    if errors:
        raise errors[0]
    return [results[0], results[1]]
