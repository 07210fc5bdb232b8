"""What a model from another tool or engine uses that the platform does not run, named all at once (issue 12 §4).

SpiffWorkflow stops at the first such thing it trips on, in its own words; this rule walks the whole process and
names every one: JUEL and FEEL expressions, Java delegates, external and built-in engine tasks, connectors,
decision tables, listeners, variable mappings, embedded or generated forms, scripts in other languages, data
stores. In an executable process they are errors (or warnings where the platform still does the right thing);
in a process that is only shown they are notes, so the model stays displayable. The document-level pass adds
notes on what was kept (lanes as posts, candidate groups, documentation, …), on engine settings that have no
effect here and on vendor extensions the platform does not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import (
    JAVA_ENGINE_NAMESPACES,
    NATIVE_NAMESPACES,
    ZEEBE_NS,
    exporter_tool,
    foreign_expression,
    is_python_language,
    tool_form,
    tool_named,
)
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.sandbox import check_expression

# Java-engine attributes that carry behaviour the platform would silently drop.
_JAVA_CODE: Final = ("class", "delegateExpression", "expression")
# Attributes the platform reads itself (or that the findings below word on their own).
_HANDLED: Final = frozenset({
    *_JAVA_CODE, "type", "topic", "decisionRef", "candidateGroups", "assignee", "formKey", "formRef", "dueDate",
    "followUpDate", "collection", "elementVariable", "resource", "calledElementBinding",
})
# Built-in task kinds of the Java engines (camunda:type / flowable:type), other than "external".
_ENGINE_TASKS: Final = frozenset({"mail", "http", "shell", "camel", "mule", "dmn", "send-event", "external-worker",
                                  "case", "script"})
_SIMPLE_VARIABLE = re.compile(r"^\$\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}$")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_MAX_NAMES = 6


@dataclass(frozen=True)
class Finding:
    """One foreign thing: the message code, where it is, its fields, and an optional severity override."""

    code: str
    element: etree._Element
    fields: dict[str, object]
    severity: str | None = None
    line: int | None = None


def _ns(tag: object) -> str:
    return etree.QName(tag).namespace or "" if isinstance(tag, str) else ""


def _prefixed_attr(element: etree._Element, name: str) -> str:
    namespace = _ns(name)
    local = etree.QName(name).localname
    prefix = next((p for p, uri in (element.nsmap or {}).items() if uri == namespace and p), None)
    return f"{prefix}:{local}" if prefix else local


def _engine_attributes(element: etree._Element) -> Iterator[tuple[str, str, str]]:
    """(local name, shown name, value) of the Java-engine attributes on ``element``."""
    for name, value in element.attrib.items():
        if _ns(name) in JAVA_ENGINE_NAMESPACES:
            yield etree.QName(name).localname, _prefixed_attr(element, name), value


def _extensions(element: etree._Element) -> list[etree._Element]:
    ext = element.find(model.bpmn("extensionElements"))
    return [child for child in ext if isinstance(child.tag, str)] if ext is not None else []


def engine_of(root: etree._Element) -> str:
    """The engine a model was written for, as people name it ("Camunda", "Flowable", …)."""
    for uri in (root.nsmap or {}).values():
        if uri in JAVA_ENGINE_NAMESPACES or uri == ZEEBE_NS:
            return tool_named(uri) or "Camunda"
    return exporter_tool(root) or "Camunda/Flowable"


# ---- one element at a time -------------------------------------------------------------------------------


def _attribute_findings(ctx: LintContext, el: etree._Element, lanes: dict[str, etree._Element]) -> Iterator[Finding]:
    attrs = {local: (shown, value) for local, shown, value in _engine_attributes(el)}
    for local in _JAVA_CODE:
        if local in attrs:
            shown, value = attrs[local]
            yield Finding("foreign.java", el, {"attribute": shown, "value": value})
    kind = (attrs.get("type", ("", ""))[1] or "").strip()
    if kind == "external":
        yield Finding("foreign.external_task", el, {"topic": attrs.get("topic", ("", ""))[1]})
    elif kind in _ENGINE_TASKS:
        yield Finding("foreign.engine_task", el, {"engine": engine_of(ctx.root), "kind": kind})
    if "decisionRef" in attrs:
        yield Finding("foreign.dmn", el, {"decision": attrs["decisionRef"][1]})
    if "candidateGroups" in attrs and foreign_expression(attrs["candidateGroups"][1]):
        yield _groups_finding(el, attrs["candidateGroups"][0], attrs["candidateGroups"][1], lanes, ctx.lang)
    if "assignee" in attrs:
        value = attrs["assignee"][1].strip()
        if foreign_expression(value) and not _SIMPLE_VARIABLE.match(value):
            lane = model.lane_of(el, lanes)
            who = label("lane_handles", ctx.lang, lane=lane.get("name")) if lane is not None and lane.get("name") \
                else label("its_post", ctx.lang)
            yield Finding("foreign.assignee", el, {"value": value, "who": who})
    for local in ("dueDate", "followUpDate"):
        if local in attrs and foreign_expression(attrs[local][1]):
            yield Finding("foreign.due_date", el, {"attribute": attrs[local][0], "value": attrs[local][1]})
    if "formKey" in attrs:
        yield from _form_key_findings(el, attrs["formKey"][0], attrs["formKey"][1], ctx)
    if "formRef" in attrs:
        yield Finding("foreign.tool_form", el, {"form": attrs["formRef"][1], "engine": "Camunda Forms"})
    for local in ("collection", "elementVariable"):
        if local in attrs and foreign_expression(attrs[local][1]):
            yield _expression_finding(el, attrs[local][0], attrs[local][1], ctx.lang)
    if "resource" in attrs:
        yield Finding("foreign.script_resource", el, {"resource": attrs["resource"][1]})


def _groups_finding(el: etree._Element, shown: str, value: str, lanes: dict[str, etree._Element],
                    lang: str) -> Finding:
    lane = model.lane_of(el, lanes)
    if lane is not None and (lane.get("name") or "").strip():
        advice = label("lane_decides", lang, lane=lane.get("name"))
        return Finding("foreign.groups", el, {"attribute": shown, "value": value, "advice": advice}, "warning")
    return Finding("foreign.groups", el, {"attribute": shown, "value": value, "advice": label("lane_needed", lang)})


def _expression_finding(el: etree._Element, shown: str, value: str, lang: str) -> Finding:
    foreign = foreign_expression(value)
    language = foreign.language if foreign else "JUEL"
    return Finding("foreign.expression_attribute", el, {"attribute": shown, "expression": value,
                                                       "language": language,
                                                       "advice": label("remove_or_python", lang)})


def _form_key_findings(el: etree._Element, shown: str, key: str, ctx: LintContext) -> Iterator[Finding]:
    kind = tool_form(key)
    if kind == "expression":
        yield _expression_finding(el, shown, key, ctx.lang)
    elif kind == "html":
        yield Finding("foreign.html_form", el, {"form": key})
    elif kind is not None:
        yield Finding("foreign.tool_form", el, {"form": key, "engine": kind})


def _extension_findings(ctx: LintContext, el: etree._Element, lanes: dict[str, etree._Element]) -> Iterator[Finding]:
    form_fields: list[str] = []
    for child in _extensions(el):
        namespace, local = _ns(child.tag), etree.QName(child.tag).localname
        if namespace in JAVA_ENGINE_NAMESPACES:
            if local in ("executionListener", "taskListener"):
                yield _listener(el, child, local, ctx.lang)
            elif local == "inputOutput":
                yield Finding("foreign.io_mapping", el, {"what": model.prefixed(child.tag) or local},
                              line=child.sourceline)
            elif local in ("in", "out"):
                names = [v for v in (child.get("source"), child.get("target"), child.get("variables")) if v]
                yield Finding("foreign.io_mapping", el, {"what": f"{_prefix(child)}:{local} {' → '.join(names)}"},
                              line=child.sourceline)
            elif local == "connector":
                connector = (child.findtext(child.tag.replace("connector", "connectorId")) or "").strip()
                yield Finding("foreign.connector", el, {"connector": connector or "?"}, line=child.sourceline)
            elif local == "formData":
                form_fields += [f.get("id", "?") for f in child if isinstance(f.tag, str)]
            elif local == "formProperty":
                form_fields.append(child.get("id", "?"))
        elif namespace == ZEEBE_NS:
            yield from _zeebe(ctx, el, child, local, lanes)
    if form_fields:
        shown = label("list_sep", ctx.lang).join(form_fields[:_MAX_NAMES])
        yield Finding("foreign.generated_form", el, {"fields": shown})


def _prefix(child: etree._Element) -> str:
    return etree.QName(child.tag).localname if child.prefix is None else child.prefix


def _listener(el: etree._Element, child: etree._Element, local: str, lang: str) -> Finding:
    implementation = next(
        (f"{name}={child.get(name)}" for name in ("class", "delegateExpression", "expression") if child.get(name)),
        None,
    )
    if implementation is None:
        script = child.find("*")
        implementation = "script" if script is not None else "?"
    kind = label("listener_task" if local == "taskListener" else "listener_execution", lang)
    return Finding("foreign.listener", el, {"kind": kind, "event": child.get("event", "?"),
                                            "implementation": implementation}, line=child.sourceline)


def _zeebe(ctx: LintContext, el: etree._Element, child: etree._Element, local: str,
           lanes: dict[str, etree._Element]) -> Iterator[Finding]:
    if local == "taskDefinition":
        yield Finding("foreign.external_task", el, {"topic": child.get("type", "?")})
    elif local == "calledDecision":
        yield Finding("foreign.dmn", el, {"decision": child.get("decisionId", "")})
    elif local == "formDefinition":
        form = child.get("formKey") or child.get("formId") or child.get("externalReference") or "?"
        yield Finding("foreign.tool_form", el, {"form": form, "engine": "Camunda Forms"})
    elif local == "assignmentDefinition":
        for name in ("candidateGroups", "assignee"):
            value = child.get(name) or ""
            if value.strip().startswith("="):
                if name == "candidateGroups":
                    yield _groups_finding(el, f"zeebe:{name}", value, lanes, ctx.lang)
                else:
                    yield Finding("foreign.assignee", el, {"value": value, "who": label("its_post", ctx.lang)})
    elif local == "ioMapping":
        yield Finding("foreign.io_mapping", el, {"what": "zeebe:ioMapping"}, line=child.sourceline)
    elif local == "script":
        yield Finding("foreign.script_language", el, {"language": "FEEL"})
    elif local in ("executionListeners", "taskListeners"):
        for listener in child:
            if isinstance(listener.tag, str):
                kind = label("listener_task" if local == "taskListeners" else "listener_execution", ctx.lang)
                yield Finding("foreign.listener", el, {"kind": kind, "event": listener.get("eventType", "?"),
                                                       "implementation": listener.get("type", "?")},
                              line=listener.sourceline)


def _bpmn_findings(ctx: LintContext, el: etree._Element, executable: bool) -> Iterator[Finding]:
    local = model.local_name(el)
    if local == "scriptTask" and not is_python_language(el.get("scriptFormat")):
        yield Finding("foreign.script_language", el, {"language": el.get("scriptFormat")})
    elif local == "businessRuleTask" and not any(f.code == "foreign.dmn" for f in _pending(el)):
        decision = model.spiff_extension_text(el, "calledDecisionId") or ""
        yield Finding("foreign.dmn", el, {"decision": decision.strip()})
    elif local == "dataStoreReference":
        store = model.find_by_id(ctx.root, el.get("dataStoreRef", "")) if el.get("dataStoreRef") else None
        yield Finding("foreign.data_store", el, {"name": el.get("name") or (store.get("name") if store is not None
                                                                              else None) or el.get("id", "?")})
    elif local in ("conditionExpression", "condition", "loopCardinality", "completionCondition"):
        yield from _expression_text(ctx, el, executable)
    elif local in ("timeDate", "timeDuration", "timeCycle"):
        foreign = foreign_expression(el.text)
        if foreign is not None:
            event = _event_of(el)
            yield Finding("foreign.timer", event, {"expression": (el.text or "").strip(),
                                                   "language": foreign.language}, line=el.sourceline)


def _pending(el: etree._Element) -> list[Finding]:
    # A business rule task that names its decision in the Java engines' or Camunda 8's way was already found.
    found: list[Finding] = []
    if any(local == "decisionRef" for local, _, _ in _engine_attributes(el)):
        found.append(Finding("foreign.dmn", el, {}))
    if any(_ns(c.tag) == ZEEBE_NS and etree.QName(c.tag).localname == "calledDecision" for c in _extensions(el)):
        found.append(Finding("foreign.dmn", el, {}))
    return found


def _event_of(el: etree._Element) -> etree._Element:
    definition = el.getparent()
    event = definition.getparent() if definition is not None else None
    return event if event is not None else el


def _expression_text(ctx: LintContext, el: etree._Element, executable: bool) -> Iterator[Finding]:
    text = (el.text or "").strip()
    if not text:
        return
    owner = el.getparent() if model.local_name(el) == "conditionExpression" else _owner(el)
    owner = owner if owner is not None else el
    foreign = foreign_expression(text)
    language = el.get("language")
    if foreign is None and not is_python_language(language):
        yield Finding("foreign.condition", owner, {"expression": text, "language": language,
                                                   "engine": engine_of(ctx.root),
                                                   "advice": label("rewrite_python", ctx.lang)}, line=el.sourceline)
        return
    if foreign is not None:
        engine = "Camunda 8" if foreign.language == "FEEL" else engine_of(ctx.root)
        advice = label("python_is", ctx.lang, python=foreign.python) if foreign.python \
            else label("rewrite_python", ctx.lang)
        if model.local_name(el) in ("conditionExpression", "condition"):
            yield Finding("foreign.condition", owner, {"expression": text, "language": foreign.language,
                                                       "engine": engine, "advice": advice}, line=el.sourceline)
        else:
            yield Finding("foreign.expression_attribute", owner, {
                "attribute": model.prefixed(el.tag), "expression": text, "language": foreign.language,
                "advice": advice}, line=el.sourceline)
        return
    if not executable and model.local_name(el) == "conditionExpression" and (
            _CJK.search(text) or check_expression(text, ctx.lang) is not None):
        # Descriptive tools write the condition as words ("材料齐全？"); say what running it would take.
        yield Finding("foreign.text_condition", owner, {"expression": text}, line=el.sourceline)


def _owner(el: etree._Element) -> etree._Element | None:
    current = el.getparent()
    while current is not None and not current.get("id"):
        current = current.getparent()
    return current


_ENGINE_PREFIXES: Final = tuple(f"{{{ns}}}" for ns in JAVA_ENGINE_NAMESPACES)
_BPMN_TAGS: Final = ("scriptTask", "businessRuleTask", "dataStoreReference", "conditionExpression", "condition",
                     "loopCardinality", "completionCondition", "timeDate", "timeDuration", "timeCycle")


def _findings(ctx: LintContext, process: etree._Element) -> Iterator[Finding]:
    # Three targeted walks rather than every rule on every element: a file may hold tens of thousands.
    executable = model.is_executable(process)
    lanes = model.lanes_by_node(process)
    for el in process.iter():
        if isinstance(el.tag, str) and any(name.startswith(_ENGINE_PREFIXES) for name in el.attrib):
            yield from _attribute_findings(ctx, el, lanes)
    for extensions in process.iter(model.bpmn("extensionElements")):
        owner = extensions.getparent()
        if owner is not None:
            yield from _extension_findings(ctx, owner, lanes)
    for el in model.iter_descendants(process, *_BPMN_TAGS):
        yield from _bpmn_findings(ctx, el, executable)
    for el in model.iter_descendants(process, "serviceTask"):
        if not _implemented(el):
            yield Finding("service.no_operator", el, {})


def _implemented(el: etree._Element) -> bool:
    """Whether a service task says how it is done, in any engine's way (findings above name the foreign ones)."""
    if any(local in ("class", "delegateExpression", "expression", "type") for local, _, _ in _engine_attributes(el)):
        return True
    return any(
        _ns(c.tag) in (*JAVA_ENGINE_NAMESPACES, ZEEBE_NS, model.SPIFF_NS)
        and etree.QName(c.tag).localname in ("connector", "taskDefinition", "serviceTaskOperator")
        for c in _extensions(el)
    )


def check_foreign(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Everything in ``process`` that another engine would run and this platform does not."""
    executable = model.is_executable(process)
    problems: list[BpmnProblem] = []
    for finding in _findings(ctx, process):
        if finding.code == "service.no_operator" and not executable:
            continue  # a descriptive model may draw a service task without saying how it runs
        severity = finding.severity if executable else "info"
        problems.append(ctx.problem(finding.code, finding.element, line=finding.line, severity=severity,
                                    **finding.fields))
    if problems:
        ctx.foreign_found = True
    return problems


# ---- the whole document ---------------------------------------------------------------------------------


def _vendor_namespaces(root: etree._Element) -> dict[str, str]:
    """Namespace URI → prefix of every extension namespace used in the file that the platform does not read."""
    found: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in (el.tag, *el.attrib):
            namespace = _ns(name)
            if namespace and namespace not in NATIVE_NAMESPACES and namespace not in JAVA_ENGINE_NAMESPACES \
                    and namespace != ZEEBE_NS and namespace not in found:
                prefix = next((p for p, uri in (el.nsmap or {}).items() if uri == namespace and p), None)
                found[namespace] = prefix or namespace
    return found


def _ignored_settings(root: etree._Element) -> list[str]:
    """Java-engine attributes that change nothing here (history, async, versions, written-out due dates, …)."""
    names: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for local, shown, value in _engine_attributes(el):
            plain_due = local in ("dueDate", "followUpDate") and not foreign_expression(value)
            if (local not in _HANDLED or plain_due) and shown not in names:
                names.append(shown)
    return names


def _kept(ctx: LintContext) -> list[str]:
    lang = ctx.lang
    items: list[str] = []
    lane_names: list[str] = []
    groups = assignees = forms = timers = 0
    for process in model.processes(ctx.root):
        for lane in process.iter(model.bpmn("lane")):
            name = " ".join((lane.get("name") or "").split())
            if name and lane.find(model.bpmn("childLaneSet")) is None and name not in lane_names:
                lane_names.append(name)
        for task in model.iter_descendants(process, "userTask", "manualTask", "startEvent"):
            assignment = model.camunda_attributes(task)
            groups += bool(assignment.get("candidateGroups")) and not foreign_expression(assignment["candidateGroups"])
            assignee = assignment.get("assignee") or ""
            assignees += bool(assignee) and (not foreign_expression(assignee) or bool(_SIMPLE_VARIABLE.match(assignee)))
            key = assignment.get("formKey") or ""
            forms += bool(key) and tool_form(key) is None
        for definition in model.iter_descendants(process, "timerEventDefinition"):
            found = model.timer_field(definition)
            timers += found is not None and foreign_expression(found[1].text) is None
    if lane_names:
        shown = label("list_sep", lang).join(lane_names[:_MAX_NAMES])
        items.append(label("kept_lanes", lang, names=shown + (label("and_more", lang) if len(lane_names) > _MAX_NAMES
                                                              else "")))
    if groups:
        items.append(label("kept_groups", lang, count=groups))
    if assignees:
        items.append(label("kept_assignees", lang, count=assignees))
    documented = sum(1 for _ in ctx.root.iter(model.bpmn("documentation")))
    if documented:
        items.append(label("kept_documentation", lang, count=documented))
    properties = sorted({name for process in model.processes(ctx.root) for el in process.iter()
                         if isinstance(el.tag, str) for name in model.properties(el)})
    if properties:
        items.append(label("kept_properties", lang, names=label("list_sep", lang).join(properties[:_MAX_NAMES])))
    if forms:
        items.append(label("kept_forms", lang, count=forms))
    if timers:
        items.append(label("kept_timers", lang, count=timers))
    items.append(label("kept_names", lang))
    return items


def document_notes(ctx: LintContext) -> list[BpmnProblem]:
    """Findings about the whole file: data stores it declares, and notes on what was kept, ignored or not read."""
    root, lang = ctx.root, ctx.lang
    found: list[BpmnProblem] = []
    executable = any(model.is_executable(p) for p in model.processes(root))
    referenced = {ref.get("dataStoreRef") for ref in root.iter(model.bpmn("dataStoreReference"))}
    for store in root.findall(model.bpmn("dataStore")):
        if store.get("id") in referenced:
            continue  # named at each reference already
        found.append(ctx.problem("foreign.data_store", store, severity=None if executable else "info",
                                 name=store.get("name") or store.get("id", "?")))
        ctx.foreign_found = True
    vendors = _vendor_namespaces(root)
    if vendors:
        tools = sorted({tool for uri in vendors if (tool := tool_named(uri))})
        prefixes = label("list_sep", lang).join(p if p.startswith("http") else f"{p}:"
                                               for p in list(vendors.values())[:_MAX_NAMES])
        found.append(ctx.problem("note.vendor_extensions", root, tools=label("list_sep", lang).join(tools)
                                 or prefixes, prefixes=prefixes))
    ignored = _ignored_settings(root)
    if ignored:
        found.append(ctx.problem("note.ignored_settings", root, engine=engine_of(root),
                                 settings=label("list_sep", lang).join(ignored)))
    # What was kept is worth saying only beside what was not: a file that merely names its exporter gets no note.
    uses_engine = any(uri in JAVA_ENGINE_NAMESPACES or uri == ZEEBE_NS for uri in (root.nsmap or {}).values())
    tool = (engine_of(root) if uses_engine else None) or exporter_tool(root) or next(
        (tool_named(uri) for uri in vendors if tool_named(uri)), None)
    if tool and (ctx.foreign_found or vendors or ignored):
        found.append(ctx.problem("note.kept", root, tool=tool, items=label("list_sep", lang).join(_kept(ctx))))
    return found


__all__ = ["check_foreign", "document_notes", "engine_of"]
