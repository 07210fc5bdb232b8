"""Settings read from ``SUNSHINE_*`` environment variables.

A value that cannot work is refused when the settings are built (start-up), with ``SettingsError`` naming the
variable and what it accepts, rather than failing later in the middle of a request.
"""

from __future__ import annotations

import functools
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
_HOURS = Allowed(0, 8_760, True, False, "须为大于 0、不超过 8760（一年）的小时数",
                 "a number of hours above 0 and at most 8760 (one year)")
ALLOWED: dict[str, Allowed] = {
    "signin_user_failures": _FAILURES,
    "signin_address_failures": _FAILURES,
    "signin_window_minutes": _MINUTES,
    "signin_lockout_minutes": _MINUTES,
    "session_idle_minutes": _MINUTES,
    "session_max_hours": _HOURS,
    # Case data bounds (engine/data_size.py), in characters of JSON: from 1 KB to 1 GB.
    "max_step_data": Allowed(1024, 2**30, False, True, "须为 1024 到 1073741824 之间的整数（JSON 字符数）",
                             "a whole number of JSON characters from 1024 to 1073741824"),
    "max_case_data": Allowed(1024, 2**30, False, True, "须为 1024 到 1073741824 之间的整数（JSON 字符数）",
                             "a whole number of JSON characters from 1024 to 1073741824"),
    # Request bodies (app/uploads.py, deploy/nginx/sunshine.conf): from 64 KiB, below which forms fail, to 1 GiB.
    "max_request_bytes": Allowed(65_536, 2**30, False, True,
                                 "须为 65536（64 KiB）到 1073741824（1 GiB）之间的整数（字节数）",
                                 "a whole number of bytes from 65536 (64 KiB) to 1073741824 (1 GiB)"),
    # One uploaded material or evidence file (engine/files): from 1 KiB to 1 GiB.
    "max_file_bytes": Allowed(1024, 2**30, False, True, "须为 1024 到 1073741824 之间的整数（字节数）",
                              "a whole number of bytes from 1024 to 1073741824"),
    "max_returns": Allowed(1, 1000, False, True, "须为 1 到 1000 之间的整数", "a whole number from 1 to 1000"),
    # Rule P6's thresholds (engine/rules/p6_after_the_fact.py).
    "late_registration_days": Allowed(1, 1000, False, True, "须为 1 到 1000 之间的整数",
                                      "a whole number from 1 to 1000"),
    "quick_case_minutes": Allowed(1, 10_000, False, True, "须为 1 到 10000 之间的整数",
                                  "a whole number from 1 to 10000"),
    "night_steps": Allowed(2, 10_000, False, True, "须为 2 到 10000 之间的整数", "a whole number from 2 to 10000"),
    # Reverse proxies in front of the web process, trusted to tell the client's address (X-Forwarded-For).
    "trusted_proxies": Allowed(0, 5, False, True, "须为 0（无代理）到 5 之间的整数",
                               "a whole number from 0 (no proxy) to 5"),
}
_KIND_TEXT = {int: ("须为整数", "a whole number"), float: ("须为数字", "a number")}


ENVIRONMENTS = ("production", "development")


def _default_database_url() -> str:
    return f"sqlite:///{ROOT / 'instance' / 'sunshine.db'}"


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set; each field maps to ``SUNSHINE_<NAME>``."""

    database_url: str = field(default_factory=_default_database_url)
    #: ``production`` (the default: keys must be given) or ``development`` (``make run``: keys are made once and
    #: kept in ``instance_dir``, and cookies work over plain http).
    env: str = "production"
    #: Signs session cookies. Empty means not given (see ``engine/keys.py``).
    secret_key: str = ""
    #: Keys the audit log's hashes (``engine/audit``); it must not be stored in the database it protects.
    audit_key: str = ""
    #: Where each audit checkpoint is also appended (one JSON line each): storage the database's superuser does
    #: not control in production (``docs/audit.md``); ``sunshine audit verify`` checks the database against it.
    audit_checkpoint_path: Path = ROOT / "instance" / "audit-checkpoints.jsonl"
    #: The schema owner's connection, used by ``sunshine db upgrade`` and ``sunshine db grant`` only; empty means
    #: ``database_url``. On PostgreSQL the platform itself should connect as a role that does not own the tables.
    migration_database_url: str = ""
    instance_dir: Path = ROOT / "instance"
    forms_dir: Path = ROOT / "forms"
    processes_dir: Path = ROOT / "processes"
    tick_seconds: float = 30.0
    script_timeout: float = 1.0
    warn_workdays: float = 1.0
    language: str = "zh"
    supervisor_in_web: bool = True
    #: The largest request body any request may send, in bytes (Flask's ``MAX_CONTENT_LENGTH``): the catalog
    #: import's 20 MiB spreadsheet and its form around it. nginx's ``client_max_body_size`` must say the same.
    max_request_bytes: int = 21 * 1024 * 1024
    #: Where uploaded materials and evidence are kept (``engine/files/storage.py``): never overwritten, never
    #: deleted by the platform. Back it up with the database.
    files_dir: Path = ROOT / "instance" / "files"
    #: The largest material or evidence file one upload may carry, in bytes (``max_request_bytes`` must leave room
    #: for it and its form).
    max_file_bytes: int = 20 * 1024 * 1024
    #: Reverse proxies in front of the web process (nginx: 1). Their X-Forwarded-For/-Proto are believed (Werkzeug's
    #: ProxyFix), so the sign-in throttle sees the client's address and Secure cookies see https; 0 believes none.
    trusted_proxies: int = 0
    #: How many recently changed cases keep their workflow in memory (0 turns the cache off).
    live_cases: int = 500
    #: The most data (characters of JSON) one step may put in a case: each script's or expression's result, and a
    #: step's submitted values (``engine/data_size.py``); beyond it the step is refused and the case unchanged.
    max_step_data: int = 1024 * 1024
    #: The most a whole case's saved workflow may hold (characters of JSON).
    max_case_data: int = 8 * 1024 * 1024
    #: Sign-in throttle (``engine/signin_guard.py``): this many failures of one username within the window lock
    #: it for the lockout, counted from its last failure; 0 turns that limit off.
    signin_user_failures: int = 5
    #: The same for one client address (``request.remote_addr``; an IPv6 client counts by its /64 network).
    signin_address_failures: int = 20
    signin_window_minutes: float = 15.0
    signin_lockout_minutes: float = 15.0
    #: A signed-in session ends after this long without a request, and this long after sign-in whatever happens
    #: (``engine/web_sessions.py``; why these defaults: docs/security.md).
    session_idle_minutes: float = 30.0
    session_max_hours: float = 12.0
    #: Supervision rule P1 (engine/rules/p1_irregular_return.py): a case returned (退回) more times than this raises a
    #: red alert.
    max_returns: int = 3
    #: Supervision rule P6 (engine/rules/p6_after_the_fact.py): registration more working days than this after the
    #: application date; a whole case across posts done by one person within this many minutes; this many steps
    #: completed by one person between 22:00 and 06:00 Beijing time in one night.
    late_registration_days: int = 5
    quick_case_minutes: int = 30
    night_steps: int = 20
    #: The same thresholds for particular powers, by power code: ``SCJG-XK-0001:late=3,quick=60;MZJ-QR-0001:night=10``
    #: (a power not named keeps the three above).
    p6_power_thresholds: str = ""

    def p6_threshold(self, power_code: str | None, name: str) -> int:
        """P6's threshold ``name`` (``late_registration_days`` …) for the power ``power_code``."""
        named = p6_overrides(self.p6_power_thresholds).get(power_code or "", {})
        return named.get(name, getattr(self, name))

    @property
    def development(self) -> bool:
        """True on a developer's machine (``make run``), where missing keys are generated."""
        return self.env == "development"

    def __post_init__(self) -> None:
        problems = [rule.problem(name, getattr(self, name)) for name, rule in ALLOWED.items()
                    if not rule.admits(getattr(self, name))]
        try:
            p6_overrides(self.p6_power_thresholds)
        except ValueError as exc:
            problems.append(f"{variable('p6_power_thresholds')}={self.p6_power_thresholds}：「{exc}」有误，须写成 "
                            f"事项编码:late=5,quick=30,night=20;… / “{exc}” is wrong: write CODE:late=5,quick=30,"
                            f"night=20;… (each within the range of its SUNSHINE_* setting)")
        if self.env not in ENVIRONMENTS:
            problems.append(f"{variable('env')}={self.env}：须为 {' 或 '.join(ENVIRONMENTS)} / "
                            f"must be {' or '.join(ENVIRONMENTS)}")
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


#: The keys of ``SUNSHINE_P6_POWER_THRESHOLDS`` and the settings they override.
P6_KEYS = {"late": "late_registration_days", "quick": "quick_case_minutes", "night": "night_steps"}


@functools.lru_cache(maxsize=8)
def p6_overrides(text: str) -> dict[str, dict[str, int]]:
    """``SUNSHINE_P6_POWER_THRESHOLDS`` read: power code → {setting name: value}; ValueError naming the wrong part."""
    out: dict[str, dict[str, int]] = {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        code, colon, pairs = entry.partition(":")
        if not colon or not code.strip():
            raise ValueError(entry)
        values: dict[str, int] = {}
        for pair in pairs.split(","):
            key, equals, number = (part.strip() for part in pair.partition("="))
            name = P6_KEYS.get(key)
            if name is None or not equals or not number.isdigit() or not ALLOWED[name].admits(int(number)):
                raise ValueError(pair.strip())
            values[name] = int(number)
        out[code.strip()] = values
    return out


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
