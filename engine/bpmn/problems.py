"""Located, plain-language problems found in a BPMN file, the report that gathers them, and their one-line form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from engine.bpmn.messages import label, render, severity_of

#: How many problems a page or a terminal lists before saying "and K more" (``--max-problems`` changes it).
MAX_LISTED: Final = 100
# Quoted model text (an expression, a value) is cut to this many characters inside a message.
_MAX_QUOTED: Final = 120
_QUOTED_FIELDS: Final = frozenset({"expression", "value", "statement", "form", "called", "topic", "ref", "name",
                                   "lane", "group", "source", "target", "root", "encoding", "namespace", "decision",
                                   "connector", "resource", "event", "implementation", "attribute"})
_WHITESPACE = re.compile(r"\s+")

VERDICT_OK: Final = "ok"
VERDICT_DISPLAYABLE: Final = "displayable"
VERDICT_INVALID: Final = "invalid"


@dataclass(frozen=True)
class BpmnProblem:
    """One thing wrong with (or worth knowing about) a BPMN file, already worded in the requested language.

    ``severity`` is "error" (blocks running), "warning" (worth fixing) or "info" (a note: what was kept or
    left aside).
    """

    code: str
    element_id: str | None
    element_name: str | None
    line: int | None
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        """True when this problem blocks execution."""
        return self.severity == "error"

    @property
    def located(self) -> bool:
        """True when the problem says where it is: a line, an element id, or both."""
        return self.line is not None or bool(self.element_id)


class BpmnError(Exception):
    """Raised when a BPMN file cannot be loaded; ``problems`` says why."""

    def __init__(self, problems: list[BpmnProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems) or "invalid BPMN")


@dataclass
class CheckReport:
    """The result of checking one BPMN file: problems to fix, and notes on what was kept or left aside."""

    filename: str
    problems: list[BpmnProblem] = field(default_factory=list)
    executable: bool = False
    displayable: bool = False
    notes: list[BpmnProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[BpmnProblem]:
        """Problems that block execution."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[BpmnProblem]:
        """Problems that are only worth knowing."""
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        """True when the file can be deployed: executable and without errors."""
        return self.executable and not self.errors

    @property
    def verdict(self) -> str:
        """``ok`` (can run), ``displayable`` (no errors, can be shown, cannot run) or ``invalid``."""
        if self.ok:
            return VERDICT_OK
        if self.displayable and not self.errors:
            return VERDICT_DISPLAYABLE
        return VERDICT_INVALID

    def headline(self, lang: str = "zh") -> str:
        """The verdict in words, as the CLI prints it after the file name."""
        if self.verdict == VERDICT_OK:
            return label("verdict_ok", lang)
        if self.verdict == VERDICT_DISPLAYABLE:
            return label("verdict_displayable", lang)
        if self.errors:
            key = "verdict_errors_shown" if self.displayable else "verdict_errors"
            return label(key, lang, errors=len(self.errors))
        return label("verdict_unusable", lang)


def _one_line(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip()


def _quoted(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = _one_line(value)
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 1] + "…"


def make_problem(
    code: str,
    lang: str,
    element: etree._Element | None = None,
    *,
    element_id: str | None = None,
    element_name: str | None = None,
    line: int | None = None,
    severity: str | None = None,
    **fields: object,
) -> BpmnProblem:
    """Build a problem for ``code``, taking id, name and line from ``element`` unless given.

    Names and quoted model text are put on one line (a name drawn on two lines keeps its words) and long
    quotes are cut, so a message is always one readable line.
    """
    if element is not None:
        element_id = element_id if element_id is not None else element.get("id")
        element_name = element_name if element_name is not None else element.get("name")
        line = line if line is not None else element.sourceline
    shown = {key: _quoted(value) if key in _QUOTED_FIELDS else value for key, value in fields.items()}
    return BpmnProblem(
        code=code,
        element_id=element_id or None,
        element_name=_one_line(element_name) or None if element_name else None,
        line=line,
        message=_one_line(render(code, lang, **shown)),
        severity=severity or severity_of(code),
    )


def format_problem(problem: BpmnProblem, lang: str = "zh") -> str:
    """One line for people: ``第 12 行 · Task_review「审核」: message``."""
    parts: list[str] = []
    if problem.line is not None:
        parts.append(label("line", lang, line=problem.line))
    if problem.element_id:
        if problem.element_name:
            parts.append(label("named", lang, id=problem.element_id, name=problem.element_name))
        else:
            parts.append(problem.element_id)
    prefix = label("separator", lang).join(parts)
    if problem.is_error:
        text = problem.message
    else:
        text = label("info" if problem.severity == "info" else "warning", lang) + problem.message
    return f"{prefix}: {text}" if prefix else text


def reading_order(problems: list[BpmnProblem]) -> list[BpmnProblem]:
    """Errors first, then warnings, then notes, each in the order of the file's lines."""
    rank = {"error": 0, "warning": 1}
    return sorted(problems, key=lambda p: (rank.get(p.severity, 2), p.line if p.line is not None else 0))


def first_problems(problems: list[BpmnProblem], limit: int | None = MAX_LISTED) -> tuple[list[BpmnProblem], int]:
    """The first ``limit`` problems in reading order and how many more there are (``limit`` None or 0: all)."""
    ordered = reading_order(problems)
    if not limit or len(ordered) <= limit:
        return ordered, 0
    return ordered[:limit], len(ordered) - limit
