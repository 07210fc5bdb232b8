"""Settings read from ``SUNSHINE_*`` environment variables.

A value that cannot work is refused when the settings are built (start-up), with ``SettingsError`` naming the
variable and what it accepts, rather than failing later in the middle of a request.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """Settings that cannot work; ``problems`` holds one sentence (Chinese / English) per variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def variable(name: str) -> str:
    """The environment variable of setting ``name``."""
    return f"SUNSHINE_{name.upper()}"


@dataclass(frozen=True)
class Allowed:
    """The values a numeric setting accepts, and how to say so to an operator."""

    low: float
    high: float
    #: Whether ``low`` itself is refused (a period must be longer than nothing).
    above_low: bool
    #: Whether only whole numbers count (a number of failures).
    whole: bool
    zh: str
    en: str

    def admits(self, value: object) -> bool:
        """Whether ``value`` is one of the accepted values."""
        if isinstance(value, bool) or not isinstance(value, int if self.whole else (int, float)):
            return False
        low_ok = value > self.low if self.above_low else value >= self.low
        return low_ok and value <= self.high  # NaN fails both comparisons, infinity the second

    def problem(self, name: str, value: object) -> str:
        """The sentence (Chinese / English) refusing ``value`` for setting ``name``."""
        return f"{variable(name)}={value}：{self.zh} / must be {self.en}"


# Counts beyond 1000 are no throttle at all (and are read as a SQL LIMIT); a year bounds the periods so that
# "now + lockout" stays a date.
_FAILURES = Allowed(0, 1000, False, True, "须为 0（不限）到 1000 之间的整数",
                    "a whole number from 0 (no limit) to 1000")
_MINUTES = Allowed(0, 525_600, True, False, "须为大于 0、不超过 525600（一年）的分钟数",
                   "a number of minutes above 0 and at most 525600 (one year)")
ALLOWED: dict[str, Allowed] = {
    "signin_user_failures": _FAILURES,
    "signin_address_failures": _FAILURES,
    "signin_window_minutes": _MINUTES,
    "signin_lockout_minutes": _MINUTES,
}
_KIND_TEXT = {int: ("须为整数", "a whole number"), float: ("须为数字", "a number")}


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

    def __post_init__(self) -> None:
        problems = [rule.problem(name, getattr(self, name)) for name, rule in ALLOWED.items()
                    if not rule.admits(getattr(self, name))]
        if problems:
            raise SettingsError(problems)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from the environment, falling back to defaults.

        Raises ``SettingsError`` naming every variable whose value cannot work.
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        values: dict[str, object] = {}
        problems: list[str] = []
        for name in cls.__dataclass_fields__:
            raw = env.get(variable(name))
            if raw is None:
                continue
            default = getattr(defaults, name)
            try:
                values[name] = _parse(raw, default)
            except ValueError:
                problems.append(_unreadable(name, raw, type(default)))
        problems += [rule.problem(name, env[variable(name)]) for name, rule in ALLOWED.items()
                     if name in values and not rule.admits(values[name])]  # as the operator wrote it
        if problems:
            raise SettingsError(problems)
        return cls(**values)  # type: ignore[arg-type]


def _parse(raw: str, default: object) -> object:
    """``raw`` as a value of the setting whose default is ``default``; ValueError when it is not one."""
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        value = float(raw)
        if math.isnan(value):  # float() reads "nan", which no setting can mean
            raise ValueError(raw)
        return value
    if isinstance(default, Path):
        return Path(raw)
    return raw


def _unreadable(name: str, raw: str, kind: type) -> str:
    rule = ALLOWED.get(name)
    if rule is not None:
        return rule.problem(name, raw)
    zh, en = _KIND_TEXT.get(kind, ("无效", "a valid value"))
    return f"{variable(name)}={raw}：{zh} / must be {en}"
