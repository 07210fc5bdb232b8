"""``check_bpmn``: everything wrong with a BPMN file, located and in plain words (DESIGN §4).

Whatever the file holds, the check returns a report and never raises: a file too big to be a flowchart is
refused before anything expensive runs, and a rule that meets something it cannot handle reports that at the
process instead of taking the whole check down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from lxml import etree

from engine.bpmn import model
from engine.bpmn.messages import pick_lang
from engine.bpmn.parser import build_spec, check_root, schema_problems, select_executable, size_problems
from engine.bpmn.problems import BpmnError, BpmnProblem, CheckReport, format_problem, make_problem
from engine.bpmn.rules import DISPLAY_RULES, PROCESS_RULES, LintContext, Rule
from engine.bpmn.rules.foreign import document_notes
from engine.bpmn.safe_xml import parse_xml

__all__ = ["BpmnProblem", "CheckReport", "check_bpmn", "format_problem"]

_log = logging.getLogger(__name__)


def check_bpmn(
    data: bytes,
    filename: str,
    *,
    lang: str = "zh",
    posts: set[str] | None = None,
    form_exists: Callable[[str], bool] | None = None,
    form_fields: Callable[[str], set[str]] | None = None,
    promised_limit_days: float | None = None,
    legal_limit_days: float | None = None,
    max_bytes: int | None = None,
    max_steps: int | None = None,
) -> CheckReport:
    """Check ``data`` against BPMN, the sandbox and Sunshine's conventions; never raises for bad input."""
    lang = pick_lang(lang)
    report = CheckReport(filename=filename)
    try:
        tree = parse_xml(data, filename, lang=lang, max_bytes=max_bytes)
    except BpmnError as exc:
        report.problems.extend(exc.problems)
        return report
    root = tree.getroot()
    refused = check_root(root, lang) or size_problems(root, lang, max_steps)
    if refused:
        report.problems.extend(refused)
        return report

    schema = schema_problems(tree, lang)
    report.problems.extend(schema)
    drawn = model.has_diagram(root)
    if not drawn:
        report.problems.append(make_problem("diagram.missing", lang, line=root.sourceline))

    ctx = LintContext(
        tree=tree,
        filename=filename,
        lang=lang,
        posts=set(posts) if posts is not None else None,
        form_exists=form_exists,
        form_fields=form_fields,
        promised_limit_days=promised_limit_days,
        legal_limit_days=legal_limit_days,
    )
    chosen, selection = select_executable(root, lang)
    report.problems.extend(selection)
    executable_processes = [p for p in model.processes(root) if model.is_executable(p)]
    for process in model.processes(root):
        rules = PROCESS_RULES if model.is_executable(process) else DISPLAY_RULES
        for rule in rules:
            _file(report, _run(rule, ctx, process))
    _file(report, _run(lambda c, _: document_notes(c), ctx, root))

    reference_errors = any(p.code.startswith("flow.") and p.is_error for p in report.problems)
    report.displayable = drawn and not schema and not reference_errors
    if chosen is not None and len(executable_processes) == 1 and not schema:
        report.executable = _builds(report, tree, chosen, filename, lang)
    return report


def _file(report: CheckReport, found: list[BpmnProblem]) -> None:
    for problem in found:
        (report.notes if problem.severity == "info" else report.problems).append(problem)


def _run(rule: Rule, ctx: LintContext, scope: etree._Element) -> list[BpmnProblem]:
    """One rule's findings; what it cannot handle becomes a located problem, never an exception."""
    try:
        return rule(ctx, scope)
    except RecursionError:
        return [make_problem("model.too_complex", ctx.lang, scope)]
    except Exception:
        _log.exception("BPMN rule %s failed on %s", getattr(rule, "__name__", rule), ctx.filename)
        return [make_problem("checker.incomplete", ctx.lang, scope)]


def _builds(
    report: CheckReport, tree: etree._ElementTree, process: etree._Element, filename: str, lang: str
) -> bool:
    try:
        build_spec(tree, process.get("id", ""), filename, lang)
    except BpmnError as exc:
        # The engine stops at its first complaint, which our own rules usually explain better already.
        known_codes = {p.code for p in report.errors}
        located = {p.element_id for p in report.errors if p.element_id}
        new = [p for p in exc.problems if p.code not in known_codes and p.element_id not in located]
        # Never leave a refused process without a reason.
        report.problems.extend(new if new or report.errors else exc.problems)
        return False
    return True
