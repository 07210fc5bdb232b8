"""Whose time passes (DESIGN §4.4–4.5): the property ``clock`` on steps and on timers.

On a step, ``clock = paused`` stops the case's legal clock while the step is open (补正, 听证). On a timer,
``clock = applicant`` or ``clock = third_party`` says the timer measures the applicant's or a third party's time
(the 15-working-day 补正 period, a hearing notice period): it still moves the case when it expires, but raises no
alert against the department. Anything else is a mistake the engine would silently ignore, so it is reported.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.messages import pick_lang
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.rules.timers import is_paused
from engine.runtime.inspect import OTHERS_TIME

PROPERTY = "clock"
_TIMER_EVENTS = ("boundaryEvent", "intermediateCatchEvent", "startEvent")

MESSAGES: dict[str, dict[str, str]] = {
    "clock.timer_value": {
        "severity": "error",
        "zh": "定时事件的 clock 属性“{value}”无效。计算申请人时间的期限（如补正期限）写 applicant，计算第三方时间的写 "
              "third_party；本部门的办理时限不要写 clock。停止计时（paused）应标在环节上，不是定时事件上。",
        "en": 'The timer\'s clock property "{value}" is not valid. Write applicant for a period that measures the '
              "applicant's time (such as the supplement period), third_party for a third party's; leave clock out for "
              "the department's own limit. Stopping the clock (paused) belongs on the step, not on its timer.",
    },
    "clock.step_value": {
        "severity": "error",
        "zh": "环节的 clock 属性“{value}”无效：环节只能写 paused（该环节办理期间停止计时，如补正、听证）。",
        "en": 'The step\'s clock property "{value}" is not valid: a step may only say paused (the clock stops while '
              "it is open, as for a supplement or a hearing).",
    },
    "clock.others_on_step": {
        "severity": "error",
        "zh": "clock = {value} 说明的是期限计算谁的时间，应标在该环节的定时边界事件上，而不是环节本身。",
        "en": "clock = {value} says whose time a period measures: put it on the step's timer boundary event, not on "
              "the step itself.",
    },
    "clock.misplaced": {
        "severity": "error",
        "zh": "只有环节（clock = paused）和定时事件（clock = applicant 或 third_party）可以有 clock 属性。",
        "en": "Only steps (clock = paused) and timers (clock = applicant or third_party) take a clock property.",
    },
    "clock.camunda_timer": {
        "severity": "error",
        "zh": "定时事件的 clock = {value} 写在 camunda:properties 里，引擎读不到，会对本部门预警。"
              "请在本平台的流程图编辑器中选择“期限计算谁的时间”，或改写为 spiffworkflow:property。",
        "en": "The timer's clock = {value} is written in camunda:properties, which the engine does not read on timers, "
              "so the department would be alerted. Choose whose time the period measures in the platform's flowchart "
              "editor, or write it as a spiffworkflow:property.",
    },
    "clock.others_time_running": {
        "severity": "warning",
        "zh": "这个定时事件计算的是{party}的时间，但所附环节没有停止计时（clock = paused）："
              "这段时间会计入本部门的办理时限。",
        "en": "This timer measures {party}'s time, but the step it is attached to does not stop the clock "
              "(clock = paused): that time counts toward the department's limits.",
    },
}
_PARTIES = {"applicant": {"zh": "申请人", "en": "the applicant"},
            "third_party": {"zh": "第三方", "en": "a third party"}}


def check_clock_marks(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every ``clock`` property stands where the engine reads it and says something it understands."""
    problems: list[BpmnProblem] = []
    steps = {el.get("id"): el for el in model.iter_descendants(process, *model.HUMAN_TASK_TAGS)}
    for element in _marked(process):
        raw = model.properties(element).get(PROPERTY) or ""
        value = raw.strip().lower()
        if _is_timer(element):
            if value not in OTHERS_TIME:
                problems.append(_problem(ctx, "clock.timer_value", element, value=raw))
            elif value not in _spiff_values(element):
                problems.append(_problem(ctx, "clock.camunda_timer", element, value=raw))
            elif (step := steps.get(element.get("attachedToRef"))) is not None and not is_paused(step):
                problems.append(_problem(ctx, "clock.others_time_running", element,
                                         party=_PARTIES[value][pick_lang(ctx.lang)]))
        elif model.is_bpmn(element, *model.HUMAN_TASK_TAGS):
            if value in OTHERS_TIME:
                problems.append(_problem(ctx, "clock.others_on_step", element, value=raw))
            elif value != model.PAUSED_CLOCK:
                problems.append(_problem(ctx, "clock.step_value", element, value=raw))
        else:
            problems.append(_problem(ctx, "clock.misplaced", element))
    return problems


def _marked(process: etree._Element) -> list[etree._Element]:
    """Elements of the process carrying a ``clock`` property (Spiff's or Camunda's), in document order."""
    found: dict[int, etree._Element] = {}
    for tag in (f"{{{model.SPIFF_NS}}}property", f"{{{model.CAMUNDA_NS}}}property"):
        for prop in process.iter(tag):
            owner = prop.getparent()
            owner = owner.getparent() if owner is not None else None  # …properties → extensionElements
            owner = owner.getparent() if owner is not None else None
            if prop.get("name") == PROPERTY and owner is not None and model.is_bpmn(owner):
                found.setdefault(id(owner), owner)
    return sorted(found.values(), key=lambda el: el.sourceline or 0)


def _is_timer(element: etree._Element) -> bool:
    return model.is_bpmn(element, *_TIMER_EVENTS) and element.find(model.bpmn("timerEventDefinition")) is not None


def _spiff_values(element: etree._Element) -> set[str]:
    ext = element.find(model.bpmn("extensionElements"))
    props = ext.iterfind("spiffworkflow:properties/spiffworkflow:property", model.NSMAP) if ext is not None else []
    return {(p.get("value") or "").strip().lower() for p in props if p.get("name") == PROPERTY}


def _problem(ctx: LintContext, code: str, element: etree._Element, **fields: object) -> BpmnProblem:
    spec = MESSAGES[code]
    return BpmnProblem(code=code, element_id=element.get("id") or None, element_name=element.get("name") or None,
                       line=element.sourceline, message=spec[pick_lang(ctx.lang)].format(**fields),
                       severity=spec["severity"])
