"""Shape of the flowchart: start and end, arrows that lead somewhere, reachable steps, gateways."""

from __future__ import annotations

from collections import deque

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import foreign_expression, is_python_language
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.sandbox import check_expression


def _ids(scope: etree._Element) -> dict[str, etree._Element]:
    return {el.get("id", ""): el for el in model.children_flow_nodes(scope) if el.get("id")}


def _is_event_subprocess(el: etree._Element) -> bool:
    return model.is_bpmn(el, "subProcess") and (el.get("triggeredByEvent") or "").lower() == "true"


def check_start_and_end(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """The process (and every ordinary subprocess) has a start event; the process has an end event."""
    problems: list[BpmnProblem] = []
    for scope in model.iter_scopes(process):
        if model.is_bpmn(scope, "adHocSubProcess"):
            continue
        if scope.find(model.bpmn("startEvent")) is None:
            problems.append(ctx.problem("start.missing", scope))
    if process.find(model.bpmn("endEvent")) is None:
        problems.append(ctx.problem("end.missing", process))
    return problems


# Names SpiffWorkflow gives its own control task specs; an element with such an id is silently
# replaced by the control task, disconnecting everything after it.
RESERVED_IDS = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")


def check_reserved_ids(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """No element uses an id the engine reserves for its own bookkeeping."""
    problems: list[BpmnProblem] = []
    for element in process.iter():
        element_id = element.get("id") if isinstance(element.tag, str) else None
        if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES)):
            problems.append(ctx.problem("id.reserved", element, id=element_id))
    return problems


def check_flow_references(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every arrow starts and ends at a step of the same (sub)process."""
    problems: list[BpmnProblem] = []
    for scope in model.iter_scopes(process):
        nodes = _ids(scope)
        for flow in model.sequence_flows(scope):
            source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
            if source not in nodes:
                problems.append(ctx.problem("flow.source_missing", flow, source=source or "?"))
            if target not in nodes:
                problems.append(ctx.problem("flow.target_missing", flow, target=target or "?"))
    return problems


def _successors(scope: etree._Element, nodes: dict[str, etree._Element]) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in model.sequence_flows(scope):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        if source in nodes and target in nodes:
            succ[source].append(target)
    for node_id, el in nodes.items():
        attached = el.get("attachedToRef")
        if model.is_bpmn(el, "boundaryEvent") and attached in nodes:
            succ[attached].append(node_id)
    return succ


def entry_points(scope: etree._Element, nodes: dict[str, etree._Element]) -> list[str]:
    """Where paths through ``scope`` begin: start events, event subprocesses, else nodes with no arrow in."""
    starts = [i for i, el in nodes.items() if model.is_bpmn(el, "startEvent") or _is_event_subprocess(el)]
    if starts:
        return starts
    targets = {f.get("targetRef") for f in model.sequence_flows(scope)}
    return [i for i, el in nodes.items() if i not in targets and not model.is_bpmn(el, "boundaryEvent")]


def successors(scope: etree._Element) -> tuple[dict[str, etree._Element], dict[str, list[str]]]:
    """Flow nodes of ``scope`` by id, and the ids each reaches in one step (arrows, boundary events)."""
    nodes = _ids(scope)
    return nodes, _successors(scope, nodes)


def check_reachability(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every step can be reached from a start event."""
    problems: list[BpmnProblem] = []
    unreachable: set[str] = set()
    for scope in model.iter_scopes(process):
        if scope.get("id") in unreachable:
            # An unreachable subprocess is reported once, not with all its contents.
            unreachable.update(el.get("id", "") for el in scope.iter() if isinstance(el.tag, str))
            continue
        if model.is_bpmn(scope, "adHocSubProcess"):
            continue
        nodes, succ = successors(scope)
        if not any(model.is_bpmn(el, "startEvent") for el in nodes.values()):
            continue  # reported by check_start_and_end; everything would look unreachable
        seen: set[str] = set()
        queue = deque(entry_points(scope, nodes))
        while queue:
            node_id = queue.popleft()
            if node_id in seen:
                continue
            seen.add(node_id)
            queue.extend(succ.get(node_id, []))
        for node_id, el in nodes.items():
            if node_id not in seen:
                unreachable.add(node_id)
                # A timer on an unreachable task is unreachable for the same reason; say it once.
                if not (model.is_bpmn(el, "boundaryEvent") and el.get("attachedToRef") in nodes):
                    problems.append(ctx.problem("node.unreachable", el))
    return problems


def check_dead_ends(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Steps other than end events should lead somewhere (a warning: BPMN allows implicit ends)."""
    problems: list[BpmnProblem] = []
    for scope in model.iter_scopes(process):
        if model.is_bpmn(scope, "adHocSubProcess"):
            continue
        nodes, succ = successors(scope)
        outgoing = {f.get("sourceRef") for f in model.sequence_flows(scope)}
        for node_id, el in nodes.items():
            if node_id in outgoing or model.is_bpmn(el, "endEvent") or _is_event_subprocess(el):
                continue
            if model.is_bpmn(el, "boundaryEvent") and (el.get("cancelActivity") or "true").lower() == "false":
                continue  # a non-interrupting timer that only raises an alert needs no arrow
            problems.append(ctx.problem("node.dead_end", el))
    return problems


def check_multiple_outgoing(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Only gateways and start events may split; SpiffWorkflow refuses a task with several arrows out."""
    problems: list[BpmnProblem] = []
    for scope in model.iter_scopes(process):
        counts: dict[str, int] = {}
        for flow in model.sequence_flows(scope):
            counts[flow.get("sourceRef", "")] = counts.get(flow.get("sourceRef", ""), 0) + 1
        for node_id, el in _ids(scope).items():
            if counts.get(node_id, 0) > 1 and not model.is_bpmn(el, *model.GATEWAY_TAGS, "startEvent"):
                problems.append(ctx.problem("task.multiple_outgoing", el, count=counts[node_id]))
    return problems


def check_gateway_conditions(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Every arrow out of a deciding gateway has a condition, except its default arrow."""
    problems: list[BpmnProblem] = []
    for scope in model.iter_scopes(process):
        leaving: dict[str, list[etree._Element]] = {}
        for flow in model.sequence_flows(scope):
            leaving.setdefault(flow.get("sourceRef", ""), []).append(flow)
        for gateway in scope:
            if not model.is_bpmn(gateway, "exclusiveGateway", "inclusiveGateway"):
                continue
            out = leaving.get(gateway.get("id", ""), [])
            if len(out) < 2:
                continue
            default = gateway.get("default")
            for flow in out:
                if flow.get("id") == default:
                    continue
                condition = flow.find(model.bpmn("conditionExpression"))
                if condition is None or not (condition.text or "").strip():
                    label = gateway.get("name") or gateway.get("id", "?")
                    problems.append(ctx.problem("gateway.condition_missing", flow, gateway=label))
    return problems


def is_model_code(text: str | None, language: str | None = None) -> bool:
    """True when ``text`` is meant as the platform's Python: not JUEL, FEEL or a language named otherwise."""
    return is_python_language(language) and foreign_expression(text) is None


def check_conditions_compile(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Arrow conditions compile in the sandbox."""
    problems: list[BpmnProblem] = []
    for flow in model.iter_descendants(process, "sequenceFlow"):
        condition = flow.find(model.bpmn("conditionExpression"))
        text = (condition.text or "").strip() if condition is not None else ""
        if condition is not None and not is_model_code(text, condition.get("language")):
            continue  # another engine's expression: the foreign rule names it
        if text:
            detail = check_expression(text, ctx.lang)
            if detail:
                problems.append(
                    ctx.problem("condition.invalid", flow, line=condition.sourceline, detail=detail)
                )
    return problems
