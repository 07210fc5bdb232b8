"""Scripts (script tasks, pre- and post-scripts) must pass the RestrictedPython sandbox."""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import is_python_language
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.sandbox import check_script


def check_scripts(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Script tasks have a script, and every script compiles under RestrictedPython without imports."""
    problems: list[BpmnProblem] = []
    for task in model.iter_descendants(process, "scriptTask"):
        if not is_python_language(task.get("scriptFormat")):
            continue  # Groovy, JavaScript…: the foreign rule names it
        script = task.find(model.bpmn("script"))
        text = script.text if script is not None else None
        if not (text or "").strip():
            problems.append(ctx.problem("script.empty", task))
            continue
        detail = check_script(text or "", ctx.lang)
        if detail:
            problems.append(ctx.problem("script.invalid", task, detail=detail))
    for element, name, text in model.spiff_scripts(process):
        if text.strip():
            detail = check_script(text, ctx.lang)
            if detail:
                problems.append(ctx.problem("script.invalid", element, detail=f"{name}: {detail}"))
    return problems
