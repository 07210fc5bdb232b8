"""What the benchmarks' smoke tests share: loading a bench script as a module, and reading a printed figure."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
    """``bench/<name>.py`` as the module ``sunshine_bench_<name>`` (its file name may clash with a package)."""
    spec = importlib.util.spec_from_file_location(f"sunshine_bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def figure(out: str, label: str) -> float:
    """The value of the line ``<label>: X.XX`` the bench printed."""
    found = re.search(rf"^{label}: (\d+\.\d\d)$", out, re.MULTILINE)
    assert found, f"no '{label}' line in:\n{out}"
    return float(found.group(1))
