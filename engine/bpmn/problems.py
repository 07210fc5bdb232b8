"""Located, plain-language problems found in a BPMN file, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.messages import label, render, severity_of


@dataclass(frozen=True)
class BpmnProblem:
    """One thing wrong with a BPMN file, already worded in the requested language."""

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


class BpmnError(Exception):
    """Raised when a BPMN file cannot be loaded; ``problems`` says why."""

    def __init__(self, problems: list[BpmnProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems) or "invalid BPMN")


@dataclass
class CheckReport:
    """The result of checking one BPMN file."""

    filename: str
    problems: list[BpmnProblem] = field(default_factory=list)
    executable: bool = False
    displayable: bool = False

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
    """Build a problem for ``code``, taking id, name and line from ``element`` unless given."""
    if element is not None:
        element_id = element_id if element_id is not None else element.get("id")
        element_name = element_name if element_name is not None else element.get("name")
        line = line if line is not None else element.sourceline
    return BpmnProblem(
        code=code,
        element_id=element_id or None,
        element_name=element_name or None,
        line=line,
        message=render(code, lang, **fields),
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
    text = problem.message if problem.is_error else label("warning", lang) + problem.message
    return f"{prefix}: {text}" if prefix else text
