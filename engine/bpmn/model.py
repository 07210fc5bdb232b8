"""Read-only helpers over a BPMN lxml tree: namespaces, element kinds, lanes, properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from lxml import etree

BPMN_NS: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS: Final = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF_NS: Final = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS: Final = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE_NS: Final = "http://flowable.org/bpmn"
ACTIVITI_NS: Final = "http://activiti.org/bpmn"
ZEEBE_NS: Final = "http://camunda.org/schema/zeebe/1.0"
NSMAP: Final = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "spiffworkflow": SPIFF_NS, "camunda": CAMUNDA_NS}

CAMUNDA_TASK_ATTRIBUTES: Final = ("candidateGroups", "candidateUsers", "assignee", "dueDate", "formKey")

ACTIVITY_TAGS: Final = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
    }
)
EVENT_TAGS: Final = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAY_TAGS: Final = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
)
FLOW_NODE_TAGS: Final = ACTIVITY_TAGS | EVENT_TAGS | GATEWAY_TAGS
SUBPROCESS_TAGS: Final = frozenset({"subProcess", "transaction", "adHocSubProcess"})
HUMAN_TASK_TAGS: Final = frozenset({"userTask", "manualTask"})
PAUSED_CLOCK: Final = "paused"


def bpmn(tag: str) -> str:
    """Clark name of a BPMN model tag."""
    return f"{{{BPMN_NS}}}{tag}"


def local_name(element: etree._Element) -> str:
    """Tag without namespace ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(tag).localname


def is_bpmn(element: etree._Element, *tags: str) -> bool:
    """True when ``element`` is a BPMN-model element with one of ``tags``."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{BPMN_NS}}}"):
        return False
    return not tags or local_name(element) in tags


def prefixed(tag: str) -> str:
    """Clark name → ``bpmn:foo`` style for messages."""
    if not tag.startswith("{"):
        return tag
    ns, _, name = tag[1:].partition("}")
    for prefix, uri in NSMAP.items():
        if uri == ns:
            return f"{prefix}:{name}"
    return name


def processes(root: etree._Element) -> list[etree._Element]:
    """All top-level ``bpmn:process`` elements."""
    return root.findall(bpmn("process"))


def is_executable(process: etree._Element) -> bool:
    """Sunshine's reading of ``isExecutable``: only an explicit ``true`` counts (DESIGN §4.1)."""
    return (process.get("isExecutable") or "").strip().lower() == "true"


def children_flow_nodes(scope: etree._Element) -> list[etree._Element]:
    """Flow nodes directly inside a process or subprocess."""
    return [el for el in scope if is_bpmn(el, *FLOW_NODE_TAGS)]


def sequence_flows(scope: etree._Element) -> list[etree._Element]:
    """Sequence flows directly inside a process or subprocess."""
    return scope.findall(bpmn("sequenceFlow"))


def iter_scopes(process: etree._Element) -> Iterator[etree._Element]:
    """The process and every (nested) subprocess in it."""
    yield process
    yield from process.iter(*(bpmn(t) for t in SUBPROCESS_TAGS))


def iter_descendants(process: etree._Element, *tags: str) -> Iterator[etree._Element]:
    """Every BPMN element with one of ``tags`` anywhere inside ``process``."""
    yield from process.iter(*(bpmn(t) for t in tags))


def find_by_id(root: etree._Element, element_id: str) -> etree._Element | None:
    """The element carrying ``id``, or None."""
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0] if found else None


_CODE_TAGS: Final = frozenset({bpmn("script"), bpmn("conditionExpression"), bpmn("condition"), bpmn("timeDate"),
                               bpmn("timeDuration"), bpmn("timeCycle"), f"{{{SPIFF_NS}}}preScript",
                               f"{{{SPIFF_NS}}}postScript"})


def code_chars(process: etree._Element) -> int:
    """Characters of model code in ``process``: scripts, conditions and timer expressions."""
    return sum(len(el.text or "") for el in process.iter(*_CODE_TAGS))


_STEP_TAGS: Final = tuple(bpmn(t) for t in sorted(FLOW_NODE_TAGS | {"sequenceFlow", "messageFlow"}))
_COUNT_ALL: Final = etree.XPath("count(//*)")


def count_elements(root: etree._Element) -> tuple[int, int]:
    """(all elements, steps and arrows) in the document: flow nodes, sequence flows and message flows."""
    # Counted inside libxml2: a file refused for its size should cost next to nothing.
    total = int(_COUNT_ALL(root))
    steps = sum(1 for _ in root.iter(*_STEP_TAGS))
    return total, steps


def has_diagram(root: etree._Element) -> bool:
    """True when the file carries drawing information for a viewer."""
    return root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is not None


def lanes_by_node(process: etree._Element) -> dict[str, etree._Element]:
    """Map flow-node id → innermost lane element that references it."""
    result: dict[str, etree._Element] = {}
    for lane in process.iter(bpmn("lane")):
        for ref in lane.findall(bpmn("flowNodeRef")):
            if ref.text and ref.text.strip():
                # iter() is document order, so a nested (inner) lane overwrites its parent lane.
                result[ref.text.strip()] = lane
    return result


def lane_of(element: etree._Element, lanes: dict[str, etree._Element]) -> etree._Element | None:
    """The lane holding ``element`` or, inside a subprocess, the lane holding the subprocess."""
    current: etree._Element | None = element
    while current is not None:
        node_id = current.get("id")
        if node_id and node_id in lanes:
            return lanes[node_id]
        if is_bpmn(current, "process"):
            return None
        current = current.getparent()
    return None


def properties(element: etree._Element) -> dict[str, str]:
    """Extension properties, Camunda's and SpiffWorkflow's merged (Spiff wins on a clash)."""
    result: dict[str, str] = {}
    ext = element.find(bpmn("extensionElements"))
    if ext is None:
        return result
    for prop in ext.iterfind("camunda:properties/camunda:property", NSMAP):
        if prop.get("name") is not None:
            result[prop.get("name", "")] = prop.get("value", "")
    for prop in ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NSMAP):
        if prop.get("name") is not None:
            result[prop.get("name", "")] = prop.get("value", "")
    return result


def camunda_attributes(element: etree._Element) -> dict[str, str]:
    """The task attributes SpiffWorkflow drops (candidateGroups, assignee, …), as Camunda names them.

    Flowable and Activiti write the same attributes in their own namespaces, and Camunda 8 puts candidate groups
    and the assignee in ``zeebe:assignmentDefinition``; all of them mean what Camunda's do, so they are read as
    Camunda's (Camunda's own win). Camunda 8's FEEL values (``=…``) are left out: nothing here evaluates them.
    """
    result: dict[str, str] = {}
    for name in CAMUNDA_TASK_ATTRIBUTES:
        for namespace in (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS):
            value = element.get(f"{{{namespace}}}{name}")
            if value is not None:
                result[name] = value
                break
    assignment = element.find(f"{bpmn('extensionElements')}/{{{ZEEBE_NS}}}assignmentDefinition")
    if assignment is not None:
        for name in ("candidateGroups", "assignee"):
            value = assignment.get(name)
            if value is not None and name not in result and not value.strip().startswith("="):
                result[name] = value
    return result


def spiff_extension_text(element: etree._Element, name: str) -> str | None:
    """Text of ``spiffworkflow:<name>`` under the element's extensionElements."""
    found = element.find(f"{bpmn('extensionElements')}/{{{SPIFF_NS}}}{name}")
    return found.text if found is not None else None


def spiff_scripts(process: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(owner element, "preScript" or "postScript", text) of every SpiffWorkflow pre- and post-script."""
    for script in process.iter(f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
        extensions = script.getparent()
        owner = extensions.getparent() if extensions is not None else None
        if owner is not None and extensions is not None and extensions.tag == bpmn("extensionElements"):
            yield owner, etree.QName(script.tag).localname, script.text or ""


def timer_boundaries(process: etree._Element) -> dict[str, list[etree._Element]]:
    """Map activity id → timer boundary events attached to it."""
    result: dict[str, list[etree._Element]] = {}
    for event in iter_descendants(process, "boundaryEvent"):
        if event.find(bpmn("timerEventDefinition")) is not None:
            result.setdefault(event.get("attachedToRef", ""), []).append(event)
    return result


def timer_field(definition: etree._Element) -> tuple[str, etree._Element] | None:
    """The (field name, element) of a timerEventDefinition: timeDate, timeDuration or timeCycle."""
    for name in ("timeDate", "timeDuration", "timeCycle"):
        found = definition.find(bpmn(name))
        if found is not None:
            return name, found
    return None
