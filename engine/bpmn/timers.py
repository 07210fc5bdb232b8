"""Timer texts: quoting bare ISO 8601 literals, choosing the timer kind, and checking expressions.

SpiffWorkflow evaluates timer text as Python, so ``P2D`` must become ``'P2D'`` (brief §3). The
platform's ``workdays(n)`` / ``workhours(n)`` return an absolute ISO date-time, so a duration field
that calls them is really a date timer.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.sandbox import explain
from engine.sandbox import SandboxError, base_globals, compile_errors, compile_expression

TimerKind = Literal["date", "duration", "cycle"]

FIELD_KINDS: dict[str, TimerKind] = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
CALENDAR_FUNCTIONS = ("workdays", "workhours")
HOURS_PER_WORKDAY = 8

# Deliberately loose: anything that looks like an ISO literal is quoted, and then Spiff's own ISO
# parser decides whether it is valid, which gives a precise message for typos such as P1X.
_DURATION_LIKE = re.compile(r"P(?=[0-9A-Z.,]*\d)[0-9A-Z.,]+")
_DATETIME_LIKE = re.compile(
    r"\d{4}-?\d{2}-?\d{2}(?:T[0-9:.,]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?|\d{4}-?W\d{2}-?\d.*"
)
_CYCLE_LIKE = re.compile(r"R\d*/[0-9A-Z:.,+\-/]+")
_CALENDAR_CALL = re.compile(r"\bwork(?:days|hours)\s*\(")

# What a timer expression may contain; anything else (comprehensions, lambdas, attributes, **) is
# refused so that checking a model can never hang or blow up memory.
_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Call,
    ast.BinOp,
    ast.UnaryOp,
    ast.Tuple,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.USub,
    ast.UAdd,
)
_ALLOWED_FUNCTIONS = frozenset({*CALENDAR_FUNCTIONS, "int", "float", "str", "round", "abs"})
_MAX_EXPRESSION_CHARS = 500
_MAX_CONSTANT = 100_000
_MAX_STRING = 200
# A fixed reference moment keeps the check deterministic; only the shape of the result matters.
_REFERENCE = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def is_iso_literal(text: str) -> bool:
    """True when ``text`` is a bare ISO 8601 duration, date-time or repeating interval."""
    stripped = text.strip()
    return any(p.fullmatch(stripped) for p in (_DURATION_LIKE, _DATETIME_LIKE, _CYCLE_LIKE))


def normalise_timer_text(text: str) -> str:
    """Quote a bare ISO literal so SpiffWorkflow's Python evaluation accepts it; keep code as is."""
    stripped = text.strip()
    return repr(stripped) if is_iso_literal(stripped) else stripped


def uses_calendar_functions(text: str) -> bool:
    """True when the text calls ``workdays(`` or ``workhours(``."""
    return _CALENDAR_CALL.search(text) is not None


def timer_kind(field_name: str, text: str) -> TimerKind:
    """The kind of timer SpiffWorkflow should build for ``text`` written in ``field_name``."""
    stripped = text.strip()
    if field_name == "timeDuration" and uses_calendar_functions(stripped):
        return "date"
    if field_name == "timeDate" and _DURATION_LIKE.fullmatch(stripped):
        return "duration"
    return FIELD_KINDS[field_name]


@dataclass
class TimerCheck:
    """What checking one timer text found: its kind, value, length in working days, and problems."""

    field_name: str
    text: str
    kind: TimerKind
    expression: str
    value: str | None = None
    days: float | None = None
    problems: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the timer evaluated to something SpiffWorkflow can schedule."""
        return self.value is not None


class _BadArgument(Exception):
    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


class _Recorder:
    """Stand-ins for the platform's calendar functions that remember how long was asked for."""

    def __init__(self) -> None:
        self.days: list[float] = []

    def _amount(self, function: str, n: Any) -> float:
        if isinstance(n, bool) or not isinstance(n, int | float) or n < 0 or n > _MAX_CONSTANT:
            raise _BadArgument(function)
        return float(n)

    def workdays(self, n: Any) -> str:
        days = self._amount("workdays", n)
        self.days.append(days)
        return (_REFERENCE + timedelta(days=days)).isoformat()

    def workhours(self, n: Any) -> str:
        hours = self._amount("workhours", n)
        self.days.append(hours / HOURS_PER_WORKDAY)
        return (_REFERENCE + timedelta(hours=hours)).isoformat()


_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_case_data(name: str, case_data: frozenset[str] | None) -> bool:
    if case_data is None:
        return bool(_VARIABLE.match(name))
    return name in case_data


def check_timer(field_name: str, text: str | None, lang: str = "zh", *,
                case_data: frozenset[str] | None = None) -> TimerCheck:
    """Evaluate a timer text the way the engine will, without running anything unsafe.

    ``case_data`` names the variables a case will hold when the timer is armed (form fields of the process,
    the applicant's details); a timer using one can only be computed then, which is reported as a warning.
    ``None`` means "not known", and then any plain ASCII identifier is taken for case data.
    """
    raw = (text or "").strip()
    kind = timer_kind(field_name, raw) if raw else FIELD_KINDS[field_name]
    check = TimerCheck(field_name, raw, kind, normalise_timer_text(raw))
    if not raw:
        check.problems.append(("timer.empty", {}))
        return check
    expression = check.expression
    if len(expression) > _MAX_EXPRESSION_CHARS:
        check.problems.append(("timer.forbidden", {"expression": raw}))
        return check
    # The same compiler and policy the runtime uses, so the check refuses exactly what the engine would.
    errors = compile_errors(expression, "eval")
    if errors:
        check.problems.append(("timer.syntax", {"expression": raw, "detail": explain(errors, lang)}))
        return check
    static = _static_problem(expression, raw)
    if static is not None and static[0] == "timer.unknown_name":
        name = str(static[1]["name"])
        if _is_case_data(name, case_data):
            check.problems.append(("timer.case_data", {"expression": raw, "name": name}))
            return check
    if static is not None:
        check.problems.append(static)
        return check
    recorder = _Recorder()
    env: dict[str, Any] = {**base_globals(), "workdays": recorder.workdays, "workhours": recorder.workhours}
    try:
        result = eval(compile_expression(expression), env)  # noqa: S307 - restricted and AST-whitelisted
    except _BadArgument as exc:
        check.problems.append(("timer.bad_args", {"function": exc.function}))
        return check
    except Exception as exc:  # any failure of the legal office's expression is a finding, not a crash
        check.problems.append(
            ("timer.eval_failed", {"expression": raw, "detail": _failure(exc, lang)})
        )
        return check
    if not isinstance(result, str):
        kind_label = "number" if isinstance(result, int | float) else type(result).__name__
        check.problems.append(("timer.not_text", {"expression": raw, "kind": kind_label}))
        return check
    _interpret(check, result.strip(), recorder)
    return check


_FAILURES: dict[type[BaseException], tuple[str, str]] = {
    ZeroDivisionError: ("除数为 0", "division by zero"),
    OverflowError: ("数字太大", "a number is too large"),
    TypeError: ("类型不匹配（例如文字和数字相加）", "the types do not match (text added to a number?)"),
    ValueError: ("取值无效（例如把文字当数字）", "a value is invalid (text used as a number?)"),
    SandboxError: ("结果超过平台允许的大小", "the result is larger than the platform allows"),
}


def _failure(exc: Exception, lang: str) -> str:
    """Why a timer expression failed, in the reader's words rather than Python's."""
    zh, en = next((words for kind, words in _FAILURES.items() if isinstance(exc, kind)),
                  ("计算出错", "the calculation fails"))
    return zh if lang == "zh" else en


def _static_problem(expression: str, raw: str) -> tuple[str, dict[str, object]] | None:
    tree = ast.parse(expression, mode="eval")
    called: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            return ("timer.forbidden", {"expression": raw})
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                return ("timer.forbidden", {"expression": raw})
            called.add(id(node.func))
            if node.func.id not in _ALLOWED_FUNCTIONS:
                return ("timer.unknown_function", {"function": node.func.id})
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > _MAX_CONSTANT:
                return ("timer.forbidden", {"expression": raw})
            if isinstance(value, str | bytes) and len(value) > _MAX_STRING:
                return ("timer.forbidden", {"expression": raw})
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            return ("timer.unknown_name", {"expression": raw, "name": node.id})
    return None


def _interpret(check: TimerCheck, value: str, recorder: _Recorder) -> None:
    asked = max(recorder.days) if recorder.days else None
    if check.kind == "duration":
        try:
            parsed = TimerEventDefinition.parse_iso_duration(value)
        except Exception:
            check.problems.append(("timer.bad_duration", {"value": value}))
            return
        if not value.upper().startswith("P"):
            check.problems.append(("timer.bad_duration", {"value": value}))
            return
        check.value = value
        check.days = asked if asked is not None else duration_days(parsed)
    elif check.kind == "date":
        if value.upper().startswith("P"):
            check.problems.append(("timer.date_is_duration", {"value": value}))
            return
        try:
            moment = TimerEventDefinition.parse_time_or_duration(value)
        except Exception:
            moment = None
        if not isinstance(moment, datetime):
            check.problems.append(("timer.bad_date", {"value": value}))
            return
        check.value = value
        if asked is not None:
            check.days = asked
            return
        try:
            naive = datetime.fromisoformat(value).tzinfo is None
        except ValueError:
            naive = False
        if naive:
            check.problems.append(("timer.naive_datetime", {"value": value}))
        check.problems.append(("timer.absolute_date", {"value": value}))
    else:
        try:
            _cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
        except Exception:
            check.problems.append(("timer.bad_cycle", {"value": value}))
            return
        if not value.upper().startswith("R"):
            check.problems.append(("timer.bad_cycle", {"value": value}))
            return
        check.value = value
        check.days = asked if asked is not None else interval.total_seconds() / 86400


def duration_days(parsed: dict[str, float]) -> float:
    """Length of a parsed ISO duration in days, counted generously (a month is 31 days, a year 366).

    Calendar time is counted day for day as working days: an upper bound, which is what a check
    against the promised limit needs.
    """
    seconds = parsed.get("hours", 0) * 3600 + parsed.get("minutes", 0) * 60 + parsed.get("seconds", 0)
    return (
        parsed.get("years", 0) * 366
        + parsed.get("months", 0) * 31
        + parsed.get("weeks", 0) * 7
        + parsed.get("days", 0)
        + seconds / 86400
    )
