"""Lint a flowchart for a department: the one place that says which checks a catalog flowchart gets.

The modeler's live check, an upload or drawing stored on a request, the catalog import and ``sunshine bpmn check``
all call these, so a flowchart is judged the same way wherever it comes from:

- an **internal** (executable) flowchart against the department's lane posts (``posts_for_lanes``), the forms the
  platform has and the power's promised and legal limits;
- an **external** (published, display-only) flowchart only for being readable and drawable: it need not run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn import BpmnProblem, CheckReport, check_bpmn
from engine.catalog.posts import posts_for_lanes

WHICH = ("internal", "external")


@dataclass(frozen=True)
class FormChecks:
    """How the linter learns which forms exist and which fields they have (a ``FormRegistry`` or a folder)."""

    exists: Callable[[str], bool] | None = None
    field_names: Callable[[str], set[str]] | None = None

    @classmethod
    def of(cls, forms: Any) -> FormChecks:
        """From anything with ``exists`` and ``field_names`` (``engine.forms.FormRegistry``), or None."""
        return cls() if forms is None else cls(forms.exists, forms.field_names)


def limits_of(fields: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """(promised, legal) working days from a request's public fields; an unset or non-number limit is None."""
    f = fields or {}
    promised, legal = f.get("promised_limit_days"), f.get("legal_limit_days")
    return ((promised if isinstance(promised, int) and not isinstance(promised, bool) and promised else None),
            (legal if isinstance(legal, int) and not isinstance(legal, bool) and legal else None))


def lint_flowchart(data: bytes, filename: str, *, lang: str = "zh", posts: set[str] | None = None,
                   forms: FormChecks | None = None, promised_limit_days: float | None = None,
                   legal_limit_days: float | None = None) -> CheckReport:
    """The full report on one executable flowchart (``posts`` None: lanes are not checked against a department)."""
    forms = forms or FormChecks()
    return check_bpmn(data, filename, lang=lang, posts=posts, form_exists=forms.exists,
                      form_fields=forms.field_names, promised_limit_days=promised_limit_days,
                      legal_limit_days=legal_limit_days)


def external_problems(report: CheckReport) -> list[BpmnProblem]:
    """What matters of a report on a display-only flowchart: all of it when it cannot be drawn, else XML faults."""
    return [p for p in report.problems if not report.displayable or p.code.startswith(("xml.", "xsd."))]


def lint_external(data: bytes, *, lang: str = "zh") -> list[BpmnProblem]:
    """The problems of a display-only flowchart (any department's: it is only drawn)."""
    return external_problems(check_bpmn(data, "external.bpmn", lang=lang))


def lint_for_department(session: Session, department_id: int, which: str, data: bytes, *, forms: Any,
                        lang: str = "zh", fields: Mapping[str, Any] | None = None) -> list[BpmnProblem]:
    """The problems of ``data`` as the ``which`` flowchart of a power of ``department_id`` whose public fields are
    ``fields`` (for the limits): what the modeler shows, an upload reports and an import refuses."""
    if which not in WHICH:
        raise ValueError(f"which flowchart: {which!r}")
    if which == "external":
        return lint_external(data, lang=lang)
    promised, legal = limits_of(fields)
    return lint_flowchart(data, "internal.bpmn", lang=lang, posts=posts_for_lanes(session, department_id),
                          forms=FormChecks.of(forms), promised_limit_days=promised,
                          legal_limit_days=legal).problems


def internal_report(session: Session, department_id: int, data: bytes, *, forms: Any, lang: str = "zh",
                    fields: Mapping[str, Any] | None = None) -> CheckReport:
    """``lint_for_department`` of an internal flowchart as the whole report (``ok``, ``executable``…)."""
    promised, legal = limits_of(fields)
    return lint_flowchart(data, "internal.bpmn", lang=lang, posts=posts_for_lanes(session, department_id),
                          forms=FormChecks.of(forms), promised_limit_days=promised, legal_limit_days=legal)
