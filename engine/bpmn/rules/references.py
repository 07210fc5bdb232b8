"""References between elements resolve (DESIGN §4): events to their messages and signals, data associations to
data objects, call activities to a process the platform can run.

SpiffWorkflow trips over each of these with an English sentence, a memory address or even a TypeError, and only
over the first one; this rule names them all, at the element that holds the reference.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import foreign_expression
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext

_EVENT_REFS = (("messageEventDefinition", "messageRef", "message"), ("signalEventDefinition", "signalRef", "signal"),
               ("errorEventDefinition", "errorRef", "error"), ("escalationEventDefinition", "escalationRef",
                                                                "escalation"))


def _ids(root: etree._Element, tag: str) -> set[str]:
    return {el.get("id", "") for el in root.iter(model.bpmn(tag))}


def _local(ref: str) -> str:
    # A reference may be written as a QName (tns:Message_1); the id is what follows the prefix.
    return ref.rsplit(":", 1)[-1]


def check_references(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every event, data association and call activity of ``process`` refers to something that exists."""
    root, lang = ctx.root, ctx.lang
    problems: list[BpmnProblem] = []
    for definition_tag, attribute, kind in _EVENT_REFS:
        defined = {el.get("id", "") for el in root.findall(model.bpmn(kind))}
        for definition in model.iter_descendants(process, definition_tag):
            ref = (definition.get(attribute) or "").strip()
            if ref and _local(ref) not in defined:
                event = definition.getparent()
                problems.append(ctx.problem("ref.event_missing", event if event is not None else definition,
                                            kind=label(f"kind_{kind}", lang), ref=ref, definition=kind))
    objects = _ids(root, "dataObjectReference")
    stores = _ids(root, "dataStoreReference")
    data_objects = _ids(root, "dataObject")
    references = {el.get("id", ""): el for el in root.iter(model.bpmn("dataObjectReference"))}
    for direction, ref_tag in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
        for association in model.iter_descendants(process, direction):
            for ref in association.findall(model.bpmn(ref_tag)):
                target = _local((ref.text or "").strip())
                if target in stores:
                    continue  # a data store: the foreign rule names it
                if target in objects:
                    pointed = references[target].get("dataObjectRef", "")
                    if pointed in data_objects:
                        continue
                    target = pointed or target
                owner = association.getparent()
                problems.append(ctx.problem("ref.data_missing", owner if owner is not None else association,
                                            line=ref.sourceline, ref=target or "?"))
    runnable = {p.get("id", "") for p in model.processes(root) if model.is_executable(p)}
    for call in model.iter_descendants(process, "callActivity"):
        called = (call.get("calledElement") or "").strip()
        zeebe = call.find(f"{model.bpmn('extensionElements')}/{{{model.ZEEBE_NS}}}calledElement")
        if not called and zeebe is not None:
            called = (zeebe.get("processId") or "").strip()
        if not called:
            problems.append(ctx.problem("call.no_target", call))
        elif foreign_expression(called) is not None:
            problems.append(ctx.problem("foreign.called_expression", call, called=called))
        elif _local(called) not in runnable:
            problems.append(ctx.problem("call.missing", call, called=called))
    return problems
