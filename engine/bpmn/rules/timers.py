"""Step time limits (DESIGN §4.3): every user task carries a timer, and every timer text evaluates."""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.rules.structure import is_model_code
from engine.bpmn.rules.variables import CASE_START_DATA, data_names
from engine.bpmn.timers import TimerCheck, check_timer

# CASE_START_DATA lived here first; runtime tests still import it from this module.
__all__ = ["CASE_START_DATA", "check_timers", "is_paused"]


def is_paused(element: etree._Element) -> bool:
    """True when the step stops the legal clock (supplement, hearing, expert review)."""
    return (model.properties(element).get("clock") or "").strip().lower() == model.PAUSED_CLOCK


def check_timers(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """User tasks have a timer boundary event; timer texts evaluate; record each step's limit in days."""
    problems: list[BpmnProblem] = []
    boundaries = model.timer_boundaries(process)
    for task in model.iter_descendants(process, "userTask"):
        if boundaries.get(task.get("id", "")):
            continue
        code = "timer.missing_paused" if is_paused(task) else "timer.missing"
        problems.append(ctx.problem(code, task))

    # A timer may read the same case variables a condition may (start data, form fields, script results).
    case_data = data_names(ctx, process)
    checked: dict[tuple[str, str | None], TimerCheck] = {}  # the same text on many steps is checked once
    for definition in model.iter_descendants(process, "timerEventDefinition"):
        event = definition.getparent()
        if event is None:
            continue
        found = model.timer_field(definition)
        if found is None:
            problems.append(ctx.problem("timer.empty", event, line=definition.sourceline))
            continue
        field_name, text_el = found
        if not is_model_code(text_el.text):
            continue  # JUEL or FEEL: the foreign rule names it
        key = (field_name, text_el.text)
        if key not in checked:
            checked[key] = check_timer(field_name, text_el.text, ctx.lang, case_data=case_data)
        result = checked[key]
        for code, fields in result.problems:
            if code == "timer.not_text":
                fields = {**fields, "kind": _kind_label(str(fields.get("kind")), ctx.lang)}
            problems.append(ctx.problem(code, event, line=text_el.sourceline, **fields))
        attached = event.get("attachedToRef")
        if model.is_bpmn(event, "boundaryEvent") and attached and result.days is not None:
            previous = ctx.step_days.get(attached)
            # The earliest timer is the step's due moment; later ones are escalations after it.
            ctx.step_days[attached] = result.days if previous is None else min(previous, result.days)
    return problems


def _kind_label(kind: str, lang: str) -> str:
    if kind == "number":
        return label("kind_number", lang)
    return label("kind_other", lang, type=kind)
