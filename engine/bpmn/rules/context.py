"""What every rule needs to know while checking one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.problems import BpmnProblem, make_problem


@dataclass
class LintContext:
    """Options of one ``check_bpmn`` call plus facts rules share (step limits in working days)."""

    tree: etree._ElementTree
    filename: str
    lang: str = "zh"
    posts: set[str] | None = None
    form_exists: Callable[[str], bool] | None = None
    form_fields: Callable[[str], set[str]] | None = None
    promised_limit_days: float | None = None
    legal_limit_days: float | None = None
    step_days: dict[str, float] = field(default_factory=dict)
    #: Set by the foreign rule when the model uses something another engine runs and this platform does not.
    foreign_found: bool = False

    @property
    def root(self) -> etree._Element:
        """The ``bpmn:definitions`` element."""
        return self.tree.getroot()

    def problem(self, code: str, element: etree._Element | None = None, **fields: object) -> BpmnProblem:
        """A problem in this context's language, located at ``element``."""
        return make_problem(code, self.lang, element, **fields)


def fmt_days(value: float) -> str:
    """Days for people: 2, 2.5, 0.17 (never 2.0000001)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
