"""``sunshine bpmn check FILE...``: explain, per file, what keeps a flowchart from running (docs/bpmn.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import click

from engine.bpmn.messages import label
from engine.bpmn.problems import (
    MAX_LISTED,
    VERDICT_DISPLAYABLE,
    VERDICT_INVALID,
    BpmnProblem,
    CheckReport,
    first_problems,
    format_problem,
    make_problem,
)
from engine.bpmn.safe_xml import max_bytes_limit
from engine.catalog.lint import FormChecks, lint_flowchart
from engine.forms import declared_fields

FORMS_DIR_ENV = "SUNSHINE_FORMS_DIR"
# A form named without an extension may be stored as a JSON Schema file.
_FORM_SUFFIXES = ("", ".json", ".schema.json")


def default_forms_dir() -> Path | None:
    """``SUNSHINE_FORMS_DIR``, else ``./forms`` when it exists, else None (form check skipped)."""
    env = os.environ.get(FORMS_DIR_ENV, "").strip()
    if env:
        return Path(env)
    local = Path("forms")
    return local if local.is_dir() else None


def _form_file(base: Path, name: str) -> Path | None:
    for suffix in _FORM_SUFFIXES:
        candidate = (base / f"{name}{suffix}").resolve()
        # A form name like ../../etc/passwd must not make us look outside the forms folder.
        if candidate.is_relative_to(base) and candidate.is_file():
            return candidate
    return None


def forms_checker(forms_dir: Path) -> Callable[[str], bool]:
    """A ``form_exists`` callback that looks for the form inside ``forms_dir`` and nowhere else."""
    base = forms_dir.resolve()
    return lambda name: _form_file(base, name) is not None


def form_fields_reader(forms_dir: Path) -> Callable[[str], set[str]]:
    """A ``form_fields`` callback: the field names of a JSON Schema form inside ``forms_dir``, checked as deploy
    checks them."""
    base = forms_dir.resolve()

    def form_fields(name: str) -> set[str]:
        # Unreadable or broken JSON raises OSError/ValueError, a misused keyword FormError: the linter reports
        # each as ``form.invalid`` at the step, as deploy does.
        path = _form_file(base, name)
        if path is None:
            return set()
        return declared_fields(path.name, json.loads(path.read_text(encoding="utf-8")))

    return form_fields


def _read(path: Path, lang: str) -> bytes | BpmnProblem:
    shown = str(path)
    if path.is_dir():
        return make_problem("file.is_directory", lang, path=shown)
    if not path.exists():
        return make_problem("file.not_found", lang, path=shown)
    try:
        if not path.is_file():  # a FIFO or device would block the check, or never end
            return make_problem("file.unreadable", lang, path=shown, detail=label("not_regular_file", lang))
        size, limit = path.stat().st_size, max_bytes_limit()
        if size > limit:  # the real size, not the bytes read before stopping
            return make_problem("xml.too_large", lang, size=size, limit=limit)
        with path.open("rb") as handle:
            # One byte over the limit (should the file grow meanwhile) is enough for the parser to say "too large".
            return handle.read(limit + 1)
    except PermissionError:
        return make_problem("file.unreadable", lang, path=shown, detail=label("no_permission", lang))
    except OSError as exc:
        return make_problem("file.unreadable", lang, path=shown, detail=exc.strerror or str(exc))


# Exit codes, documented in docs/bpmn.md. 2 is click's own for a wrong command line.
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_DISPLAYABLE = 3
JSON_VERSION = 1


def _unreadable(path: Path, problem: BpmnProblem) -> CheckReport:
    return CheckReport(filename=str(path), problems=[problem])


def _problem_json(problem: BpmnProblem) -> dict[str, object]:
    return {"code": problem.code, "severity": problem.severity, "line": problem.line,
            "element_id": problem.element_id, "element_name": problem.element_name, "message": problem.message}


def _file_json(report: CheckReport, limit: int) -> dict[str, object]:
    shown, omitted = first_problems(report.problems, limit)
    return {"file": report.filename, "verdict": report.verdict, "executable": report.executable,
            "displayable": report.displayable, "errors": len(report.errors), "warnings": len(report.warnings),
            "problems": [_problem_json(p) for p in shown], "omitted": omitted,
            "notes": [_problem_json(p) for p in report.notes]}


def _print_report(report: CheckReport, lang: str, limit: int) -> None:
    click.echo(f"{report.filename}: {report.headline(lang)}")
    shown, omitted = first_problems(report.problems, limit)
    for problem in shown:
        click.echo(f"  {format_problem(problem, lang)}")
    if omitted:
        click.echo("  " + label("more_problems_cli", lang, count=omitted, total=len(report.problems)))
    for note in report.notes:
        click.echo(f"  {format_problem(note, lang)}")


def exit_code(reports: list[CheckReport]) -> int:
    """1 when any file cannot be used as it is, else 3 when some file can only be shown, else 0."""
    verdicts = {r.verdict for r in reports}
    if VERDICT_INVALID in verdicts:
        return EXIT_INVALID
    return EXIT_DISPLAYABLE if VERDICT_DISPLAYABLE in verdicts else EXIT_OK


@click.group("bpmn")
def bpmn() -> None:
    """Check BPMN flowcharts against Sunshine's conventions."""


@bpmn.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Message language."
)
@click.option(
    "--forms-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of forms (default: $SUNSHINE_FORMS_DIR or ./forms).",
)
@click.option(
    "--promised-days", type=click.FloatRange(min=0), default=None, help="Promised limit, working days."
)
@click.option("--legal-days", type=click.FloatRange(min=0), default=None, help="Legal limit, working days.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts (schema in docs/bpmn.md).")
@click.option("--max-problems", type=click.IntRange(min=0), default=MAX_LISTED, show_default=True,
              help="Problems listed per file before '… and K more'; 0 lists them all.")
def check(
    files: tuple[Path, ...],
    lang: str,
    forms_dir: Path | None,
    promised_days: float | None,
    legal_days: float | None,
    output: str,
    max_problems: int,
) -> None:
    """Check each FILE.

    Exit 0 when every file can run; 3 when none has errors but some can only be shown (a descriptive
    flowchart: displayable, not executable); 1 when any file has errors or can be neither run nor shown.
    """
    forms = forms_dir if forms_dir is not None else default_forms_dir()
    known = forms is not None and forms.is_dir()
    form_exists = forms_checker(forms) if known else None
    form_fields = form_fields_reader(forms) if known else None
    reports: list[CheckReport] = []
    for path in files:
        data = _read(path, lang)
        if isinstance(data, BpmnProblem):
            report = _unreadable(path, data)
        else:
            report = lint_flowchart(data, str(path), lang=lang, forms=FormChecks(form_exists, form_fields),
                                    promised_limit_days=promised_days, legal_limit_days=legal_days)
        reports.append(report)
        if output == "text":
            _print_report(report, lang, max_problems)
    code = exit_code(reports)
    if output == "json":
        click.echo(json.dumps({"version": JSON_VERSION, "exit_code": code,
                               "files": [_file_json(r, max_problems) for r in reports]}, ensure_ascii=False, indent=2))
    raise SystemExit(code)
