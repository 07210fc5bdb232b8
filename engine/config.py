"""Settings read from ``SUNSHINE_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{ROOT / 'instance' / 'sunshine.db'}"


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set; each field maps to ``SUNSHINE_<NAME>``."""

    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = "dev-only-change-me"
    forms_dir: Path = ROOT / "forms"
    processes_dir: Path = ROOT / "processes"
    tick_seconds: float = 30.0
    script_timeout: float = 1.0
    warn_workdays: float = 1.0
    language: str = "zh"
    supervisor_in_web: bool = True
    #: How many recently changed cases keep their workflow in memory (0 turns the cache off).
    live_cases: int = 500
    #: Sign-in throttle (``engine/signin_guard.py``): this many failures of one username within the window lock
    #: it for the lockout, counted from its last failure; 0 turns that limit off.
    signin_user_failures: int = 5
    #: The same for one client address (``request.remote_addr``; an IPv6 client counts by its /64 network).
    signin_address_failures: int = 20
    signin_window_minutes: float = 15.0
    signin_lockout_minutes: float = 15.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from the environment, falling back to defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.__dataclass_fields__:
            raw = env.get(f"SUNSHINE_{name.upper()}")
            if raw is None:
                continue
            default = getattr(cls(), name)
            if isinstance(default, bool):
                values[name] = raw.lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                values[name] = int(raw)
            elif isinstance(default, float):
                values[name] = float(raw)
            elif isinstance(default, Path):
                values[name] = Path(raw)
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]
