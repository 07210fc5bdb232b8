"""``sunshine bpmn check FILE...``: explain, per file, what keeps a flowchart from running."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import click

from engine.bpmn.lint import check_bpmn
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem, CheckReport, format_problem, make_problem
from engine.bpmn.safe_xml import max_bytes_limit
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
    except OSError as exc:
        return make_problem("file.unreadable", lang, path=shown, detail=exc.strerror or str(exc))


def _print_report(name: str, report: CheckReport, lang: str) -> None:
    if report.ok:
        click.echo(f"{name}: {label('ok', lang)}")
    elif report.displayable and not report.errors:
        click.echo(f"{name}: {label('displayable', lang)}")
    else:
        click.echo(f"{name}:")
    for problem in report.problems:
        click.echo(f"  {format_problem(problem, lang)}")


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
def check(
    files: tuple[Path, ...],
    lang: str,
    forms_dir: Path | None,
    promised_days: float | None,
    legal_days: float | None,
) -> None:
    """Check each FILE; exit 0 only when every file can run (executable, no errors)."""
    forms = forms_dir if forms_dir is not None else default_forms_dir()
    known = forms is not None and forms.is_dir()
    form_exists = forms_checker(forms) if known else None
    form_fields = form_fields_reader(forms) if known else None
    all_ok = True
    for path in files:
        data = _read(path, lang)
        if isinstance(data, BpmnProblem):
            click.echo(f"{path}:")
            click.echo(f"  {format_problem(data, lang)}")
            all_ok = False
            continue
        report = check_bpmn(
            data,
            str(path),
            lang=lang,
            form_exists=form_exists,
            form_fields=form_fields,
            promised_limit_days=promised_days,
            legal_limit_days=legal_days,
        )
        _print_report(str(path), report, lang)
        all_ok = all_ok and report.ok
    raise SystemExit(0 if all_ok else 1)
