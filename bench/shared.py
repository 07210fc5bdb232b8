"""What the benches share: bench/engine.py as a module, for its scratch databases, platform set-up and cases.

Its file name would clash with the ``engine`` package, so it is loaded by path, once per process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent


def engine_bench() -> ModuleType:
    """bench/engine.py, loaded once under the name ``sunshine_bench_engine``."""
    name = "sunshine_bench_engine"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "engine.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def print_plans(engine: Any, statements: list[tuple[str, Any]]) -> None:
    """Print ``EXPLAIN (ANALYZE, BUFFERS)`` of each captured (statement, parameters), as PostgreSQL runs it."""
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}", parameters)
            print("  ---")
            for (line,) in plan:
                print(f"  {line}")
