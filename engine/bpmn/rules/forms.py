"""Forms named by user tasks exist (DESIGN §4.6)."""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext

FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
# Camunda Modeler prefixes form keys with where the form is deployed; the name is what follows.
_FORM_KEY_PREFIXES = (
    "embedded:app:",
    "embedded:deployment:",
    "camunda-forms:app:",
    "camunda-forms:deployment:",
    "app:",
    "deployment:",
)


def form_key_name(key: str) -> str:
    """The form name inside a ``camunda:formKey`` value."""
    for prefix in _FORM_KEY_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def referenced_forms(element: etree._Element) -> list[str]:
    """Form names an element refers to through properties or ``camunda:formKey``."""
    names: list[str] = []
    props = model.properties(element)
    for key in FORM_PROPERTIES:
        value = (props.get(key) or "").strip()
        if value:
            names.append(value)
    form_key = (model.camunda_attributes(element).get("formKey") or "").strip()
    if form_key and "${" not in form_key:
        names.append(form_key_name(form_key))
    return names


def check_forms(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every referenced form exists, when the caller can tell (``form_exists`` given)."""
    if ctx.form_exists is None:
        return []
    problems: list[BpmnProblem] = []
    for task in model.iter_descendants(process, "userTask", "manualTask", "startEvent"):
        for name in referenced_forms(task):
            try:
                exists = ctx.form_exists(name)
            except (OSError, ValueError):
                exists = False
            if not exists:
                problems.append(ctx.problem("form.missing", task, form=name))
    return problems
