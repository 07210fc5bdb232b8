"""Forms named by user tasks exist and can be used as written (DESIGN §4.6)."""

from __future__ import annotations

import json

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import tool_form
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.forms import FormError

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
    if form_key and tool_form(form_key) is None:  # HTML, Camunda Forms or an expression: the foreign rule says so
        names.append(form_key_name(form_key))
    return names


def check_forms(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every referenced form exists, when the caller can tell (``form_exists`` given), and reads as a form
    (``form_fields`` given): valid JSON, and platform keywords such as ``x-not-before`` that name real fields."""
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
            elif (detail := _unusable(ctx, name)) is not None:
                problems.append(ctx.problem("form.invalid", task, form=name, detail=detail))
    return problems


def _unusable(ctx: LintContext, name: str) -> str | None:
    """Why the form cannot be used, or None; a case would otherwise stop at this step with a server error."""
    if ctx.form_fields is None:
        return None
    try:
        ctx.form_fields(name)
    except FormError as exc:
        return exc.message(ctx.lang)
    except json.JSONDecodeError as exc:
        return (f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）" if ctx.lang == "zh"
                else f"it is not valid JSON (line {exc.lineno}, column {exc.colno})")
    except UnicodeError:
        return "不是 UTF-8 文本" if ctx.lang == "zh" else "it is not UTF-8 text"
    except (OSError, ValueError):
        return "无法读取这个文件" if ctx.lang == "zh" else "the file cannot be read"
    return None
