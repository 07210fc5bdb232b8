"""SpiffWorkflow parser for Sunshine and ``load_process``, the one way to turn BPMN bytes into a spec.

Extends SpiffBpmnParser to keep the Camunda task attributes it drops (brief §6) and to normalise timer
texts (brief §3); everything that goes wrong comes back as located :class:`BpmnProblem` values.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.task_spec import UserTaskParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.spiff.specs.defaults import UserTask

from engine.bpmn import model
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnError, BpmnProblem, make_problem
from engine.bpmn.safe_xml import parse_xml
from engine.bpmn.timers import normalise_timer_text, timer_kind

_log = logging.getLogger(__name__)

# Our spec classes are SpiffWorkflow's own, so its serializer configuration fits as it is.
SERIALIZER_CONFIG: dict[Any, Any] = DEFAULT_CONFIG

_TIMER_CLASSES: dict[str, type[TimerEventDefinition]] = {
    "date": TimeDateEventDefinition,
    "duration": DurationTimerEventDefinition,
    "cycle": CycleTimerEventDefinition,
}


class CamundaAwareUserTaskParser(UserTaskParser):
    """User tasks keep Spiff extensions and also Camunda's assignment, due date, form and properties."""

    def parse_extensions(self, node: etree._Element | None = None) -> dict[str, Any]:
        """Spiff extensions plus ``camunda:*`` attributes and ``camunda:properties``."""
        extensions: dict[str, Any] = super().parse_extensions(node)
        target = self.node if node is None else node
        camunda_props: dict[str, str] = {}
        ext = target.find(model.bpmn("extensionElements"))
        if ext is not None:
            for prop in ext.iterfind("camunda:properties/camunda:property", model.NSMAP):
                if prop.get("name") is not None:
                    camunda_props[prop.get("name", "")] = prop.get("value", "")
        if camunda_props:
            # Spiff's own properties win on a clash: they are what SpiffArena's modeler wrote last.
            extensions["properties"] = {**camunda_props, **extensions.get("properties", {})}
        extensions.update(model.camunda_attributes(target))
        return extensions


class NormalisedTimerMixin:
    """Quote bare ISO literals and turn ``workdays()``/``workhours()`` durations into date timers."""

    node: etree._Element
    filename: str | None

    def parse_timer_event(self, event: etree._Element) -> TimerEventDefinition:
        """Build the timer definition for ``event`` (a bpmn:timerEventDefinition)."""
        try:
            description = self.get_event_description(event)  # type: ignore[attr-defined]
            name = self.node.get("name", self.node.get("id"))
            found = model.timer_field(event)
            if found is None:
                raise ValidationException(
                    "Unknown Time Specification", node=self.node, file_name=self.filename
                )
            field_name, element = found
            text = (element.text or "").strip()
            if not text:
                raise ValidationException("Empty Time Specification", node=self.node, file_name=self.filename)
            cls = _TIMER_CLASSES[timer_kind(field_name, text)]
            return cls(name, normalise_timer_text(text), description=description)
        except ValidationException:
            raise
        except Exception as exc:
            raise ValidationException(
                "Time Specification Error. " + str(exc), node=self.node, file_name=self.filename
            ) from exc


class SunshineBoundaryEventParser(NormalisedTimerMixin, SpiffBoundaryEventParser):
    """Boundary events with normalised timers."""


class SunshineIntermediateCatchEventParser(NormalisedTimerMixin, SpiffIntermediateCatchEventParser):
    """Intermediate catch events with normalised timers."""


class SunshineStartEventParser(NormalisedTimerMixin, SpiffStartEventParser):
    """Start events with normalised timers."""


class NodeAwareMixin:
    """Accept the ``node=`` some of SpiffWorkflow's parsers pass when they report a missing message, signal,
    error or escalation: without it they fail with a TypeError instead of saying which event is wrong."""

    node: etree._Element
    filename: str | None

    def raise_validation_exception(self, message: str, node: etree._Element | None = None) -> None:
        """Raise SpiffWorkflow's ValidationException about ``node`` (default: the element being parsed)."""
        raise ValidationException(message, node if node is not None else self.node, self.filename)


def _node_aware(parser_class: type) -> type:
    return type(parser_class.__name__, (NodeAwareMixin, parser_class), {"__doc__": parser_class.__doc__})


class SunshineBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser plus Camunda task attributes and Sunshine's timer conventions."""

    OVERRIDE_PARSER_CLASSES = {
        tag: (_node_aware(parser_class), spec_class)
        for tag, (parser_class, spec_class) in {
            **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
            full_tag("userTask"): (CamundaAwareUserTaskParser, UserTask),
            full_tag("boundaryEvent"): (SunshineBoundaryEventParser, BoundaryEvent),
            full_tag("intermediateCatchEvent"): (SunshineIntermediateCatchEventParser, IntermediateCatchEvent),
            full_tag("startEvent"): (SunshineStartEventParser, StartEvent),
        }.items()
    }


@dataclass
class LoadedProcess:
    """An executable process ready to start cases from."""

    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    executable: bool
    tree: etree._ElementTree
    warnings: list[BpmnProblem] = field(default_factory=list)


def load_process(
    data: bytes, filename: str, *, lang: str = "zh", max_bytes: int | None = None, max_steps: int | None = None
) -> LoadedProcess:
    """Parse, validate and build the single executable process in ``data``; raise BpmnError if impossible."""
    tree = parse_xml(data, filename, lang=lang, max_bytes=max_bytes)
    root = tree.getroot()
    problems = check_root(root, lang) or size_problems(root, lang, max_steps)
    if problems:
        raise BpmnError(problems)
    problems = schema_problems(tree, lang)
    if problems:
        raise BpmnError(problems)
    process, problems = select_executable(root, lang)
    if process is None:
        raise BpmnError(problems)
    spec, subprocess_specs = build_spec(tree, process.get("id", ""), filename, lang)
    return LoadedProcess(
        process_id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        spec=spec,
        subprocess_specs=subprocess_specs,
        executable=True,
        tree=tree,
        warnings=[p for p in problems if not p.is_error],
    )


_DRAFT_NAMESPACE = re.compile(r"omg\.org/spec/BPMN/\d{8}/MODEL|schema\.omg\.org/spec/BPMN/2\.0", re.IGNORECASE)


def check_root(root: etree._Element, lang: str) -> list[BpmnProblem]:
    """A problem when the document is XML but not BPMN 2.0 (an SVG, or definitions in another namespace)."""
    if root.tag == model.bpmn("definitions"):
        return []
    if not isinstance(root.tag, str):
        return [make_problem("xml.not_bpmn", lang, line=root.sourceline, root=str(root.tag))]
    qname = etree.QName(root.tag)
    if qname.localname == "definitions":
        namespace = qname.namespace or ""
        if not namespace:
            what = label("no_namespace", lang)
        elif _DRAFT_NAMESPACE.search(namespace):
            what = label("draft_namespace", lang, namespace=namespace)
        else:
            what = label("declared_in", lang, namespace=namespace)
        return [make_problem("xml.bpmn_namespace", lang, root, what=what)]
    return [make_problem("xml.not_bpmn", lang, line=root.sourceline, root=model.prefixed(root.tag))]


MAX_STEPS_ENV = "SUNSHINE_MAX_BPMN_STEPS"
#: Steps and arrows a flowchart may hold: a government process has a few dozen; this leaves room for the
#: largest real ones while keeping every check to a second or two.
DEFAULT_MAX_STEPS = 3_000
#: XML elements a file may hold (drawing included): far above any flowchart, far below what takes long to walk.
MAX_ELEMENTS = 50_000
#: Characters of model code (scripts, conditions, timers) in a process: a process needs a few thousand; compiling
#: code under the sandbox costs seconds a megabyte, so this keeps the check near a second.
MAX_CODE_CHARS = 100_000


def max_steps_limit(override: int | None = None) -> int:
    """The step limit: the argument, else ``SUNSHINE_MAX_BPMN_STEPS``, else 3,000."""
    if override is not None:
        return override
    raw = os.environ.get(MAX_STEPS_ENV, "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_STEPS
    except ValueError:
        return DEFAULT_MAX_STEPS
    return value if value > 0 else DEFAULT_MAX_STEPS


def over_limits(text: str | bytes | None) -> bool:
    """True when a stored flowchart is too large for the platform to work on (see :func:`size_problems`)."""
    if not text:
        return False
    try:
        tree = parse_xml(text.encode("utf-8") if isinstance(text, str) else text, "stored.bpmn")
    except BpmnError:
        return False  # unreadable is another matter; whoever reads it says so
    return bool(size_problems(tree.getroot(), "en"))


def size_problems(root: etree._Element, lang: str, max_steps: int | None = None) -> list[BpmnProblem]:
    """A problem when the file holds more steps and arrows, or XML elements, than the platform checks or runs."""
    total, steps = model.count_elements(root)
    limit = max_steps_limit(max_steps)
    if steps > limit:
        return [make_problem("model.too_many_steps", lang, root, count=f"{steps:,}", limit=f"{limit:,}")]
    if total > MAX_ELEMENTS:
        return [make_problem("model.too_many_elements", lang, root, count=f"{total:,}", limit=f"{MAX_ELEMENTS:,}")]
    for process in model.processes(root):
        code = model.code_chars(process)
        if code > MAX_CODE_CHARS:
            return [make_problem("model.too_much_code", lang, process, count=f"{code:,}",
                                 limit=f"{MAX_CODE_CHARS:,}")]
    return []


def select_executable(root: etree._Element, lang: str) -> tuple[etree._Element | None, list[BpmnProblem]]:
    """The one process marked ``isExecutable="true"``, with problems when there is none or several."""
    all_processes = model.processes(root)
    if not all_processes:
        return None, [make_problem("process.missing", lang, line=root.sourceline)]
    executable = [p for p in all_processes if model.is_executable(p)]
    if len(executable) == 1:
        return executable[0], []
    if not executable:
        return None, [make_problem("process.not_executable", lang, p) for p in all_processes]
    ids = ", ".join(p.get("id", "?") for p in executable)
    return None, [
        make_problem("process.multiple_executable", lang, p, count=len(executable), ids=ids)
        for p in executable[1:]
    ]


# ---- XSD ------------------------------------------------------------------------------------------

_ELEMENT = r"Element '(?P<tag>[^']+)'"
_EXPECTED = r"(?:\s*Expected is(?: one of)? \((?P<expected>[^)]*)\))?"
_XSD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_ELEMENT + r": This element is not expected\." + _EXPECTED), "xsd.unexpected_element"),
    (re.compile(_ELEMENT + r": No matching global declaration"), "xsd.unexpected_element"),
    (re.compile(_ELEMENT + r": Missing child element\(s\)\." + _EXPECTED), "xsd.missing_child"),
    (re.compile(_ELEMENT + r": The attribute '(?P<attribute>[^']+)' is required but missing"),
     "xsd.missing_attribute"),
    (re.compile(_ELEMENT + r", attribute '(?P<attribute>[^']+)': The attribute '[^']+' is not allowed"),
     "xsd.unknown_attribute"),
    (re.compile(_ELEMENT + r", attribute 'id': '(?P<value>[^']*)' is not a valid value of the atomic type 'xs:ID'"),
     "xsd.duplicate_id"),
    (re.compile(_ELEMENT + r", attribute '(?P<attribute>[^']+)': \[facet 'enumeration'\] The value '(?P<value>[^']*)'"
                r" is not an element of the set \{(?P<allowed>[^}]*)\}"), "xsd.not_in_set"),
    (re.compile(_ELEMENT + r", attribute '(?P<attribute>[^']+)': '(?P<value>[^']*)' is not a valid value of the "
                r"(?:atomic|list|union) type '(?P<type>[^']+)'"), "xsd.bad_attribute"),
    (re.compile(_ELEMENT + r": Character content other than whitespace is not allowed"), "xsd.text_not_allowed"),
    (re.compile(_ELEMENT + r": (?:\[facet '\w+'\] The value )?'(?P<value>[^']*)' is not a valid value of the "
                r"(?:atomic|list|union) type '(?P<type>[^']+)'"), "xsd.bad_value"),
    (re.compile(_ELEMENT), "xsd.invalid"),
)
_CLARK = re.compile(r"\{([^}]*)\}(\w+)")
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_TYPE_LABELS = {"boolean": "type_boolean", "integer": "type_integer", "int": "type_integer",
                "nonNegativeInteger": "type_integer", "positiveInteger": "type_integer", "double": "type_number",
                "decimal": "type_number", "float": "type_number", "QName": "type_reference",
                "IDREF": "type_reference", "IDREFS": "type_reference", "anyURI": "type_uri"}
_MAX_EXPECTED = 6


def schema_problems(tree: etree._ElementTree, lang: str) -> list[BpmnProblem]:
    """Validate against the BPMN 2.0 + SpiffWorkflow XSD and word every error plainly, with its line."""
    # Spiff's validator rewrites some tags in place before validating; work on a copy.
    copied = copy.deepcopy(tree)
    VALIDATOR.preprocess(copied)
    schema: etree.XMLSchema = VALIDATOR.validator
    if schema.validate(copied):
        return []
    by_line: dict[int, etree._Element] = {}
    for el in tree.getroot().iter():
        if isinstance(el.tag, str) and el.get("id") and el.sourceline not in by_line:
            by_line[el.sourceline] = el
    problems: list[BpmnProblem] = []
    seen: set[tuple[int, str]] = set()
    for error in schema.error_log:
        key = (error.line, error.message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(_xsd_problem(error.message, error.line, by_line.get(error.line), lang))
    return problems


def _expected(raw: str | None, lang: str) -> str:
    names = [model.prefixed(n.strip()) for n in (raw or "").split(",") if n.strip()]
    shown = label("list_sep", lang).join(names[:_MAX_EXPECTED])
    return shown + label("and_more", lang) if len(names) > _MAX_EXPECTED else shown


def _xsd_problem(message: str, line: int, element: etree._Element | None, lang: str) -> BpmnProblem:
    readable = _CLARK.sub(lambda m: model.prefixed("{" + m.group(1) + "}" + m.group(2)), message)
    for pattern, code in _XSD_PATTERNS:
        match = pattern.search(readable)
        if not match:
            continue
        fields: dict[str, object] = {k: v for k, v in match.groupdict().items() if v is not None}
        if code == "xsd.unexpected_element":
            expected = _expected(match.groupdict().get("expected"), lang)
            fields["expected"] = label("expected_here", lang, expected=expected) if expected else ""
        elif code == "xsd.missing_child":
            fields["expected"] = _expected(match.groupdict().get("expected"), lang)
        elif code == "xsd.duplicate_id" and not _NCNAME.match(str(fields.get("value", ""))):
            code = "xsd.invalid_id"
        elif code == "xsd.not_in_set":
            allowed = [a.strip().strip("'") for a in str(fields.get("allowed", "")).split(",")]
            fields["allowed"] = label("list_sep", lang).join(a for a in allowed if a)
        if code in ("xsd.bad_attribute", "xsd.bad_value"):
            type_name = str(fields.pop("type", "")).split(":")[-1]
            fields["kind"] = label(_TYPE_LABELS.get(type_name, "type_other"), lang)
        return make_problem(code, lang, element, line=line, **fields)
    tag = model.prefixed(element.tag) if element is not None and isinstance(element.tag, str) else "?"
    return make_problem("xsd.invalid", lang, element, line=line, tag=tag)


# ---- building the spec ----------------------------------------------------------------------------

_SPIFF_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"No start event found"), "start.missing"),
    (
        re.compile(r"found two items, perhaps a form has the same ID\? \((?P<target>[^)]*)\)"),
        "flow.target_missing",
    ),
    (re.compile(r"There is no support implemented for this task type"), "element.unsupported"),
    (re.compile(r"Multiple outgoing flows are not supported"), "task.multiple_outgoing"),
    (re.compile(r"The process '(?P<called>[^']+)' was not found"), "call.missing"),
    (re.compile(r"Process (?P<called>\S+) is not executable"), "call.missing"),
    (re.compile(r"Empty Time Specification"), "timer.empty"),
    (re.compile(r"A Service Task must have an operator"), "service.no_operator"),
    (re.compile(r"No DMN Diagram available with id \"(?P<decision>[^\"]*)\""), "foreign.dmn"),
    (re.compile(r"Data Store with name (?P<name>.*) has no implementation"), "foreign.data_store"),
    (re.compile(r"Cannot resolve data(?P<direction>Input|Output)Association"), "ref.data_missing"),
    (re.compile(r"Expected an? (?P<kind>Message|Signal|Error|Escalation|error) node"), "ref.event_missing"),
    # SpiffWorkflow wraps what goes wrong inside a task's parser, a RecursionError too, in its repr.
    (re.compile(r"^RecursionError\b"), "engine.chain_too_long"),
)
_EVENT_REFS = {"message": "messageRef", "signal": "signalRef", "error": "errorRef", "escalation": "escalationRef"}


def build_spec(
    tree: etree._ElementTree, process_id: str, filename: str, lang: str
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Run SunshineBpmnParser on ``tree``; raise BpmnError with located, translated problems."""
    parser = SunshineBpmnParser()
    process = model.find_by_id(tree.getroot(), process_id)
    try:
        parser.add_bpmn_xml(tree.getroot(), filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise BpmnError([translate_validation(exc, tree, lang, process)]) from None
    except RecursionError:
        # SpiffWorkflow follows arrows recursively, two frames a step: a chain of ~500 steps is too deep.
        raise BpmnError([make_problem("engine.chain_too_long", lang, process)]) from None
    except Exception:  # SpiffWorkflow raises plain exceptions for some broken models
        _log.warning("SpiffWorkflow refused %s without a ValidationException", filename, exc_info=True)
        raise BpmnError([_rejected(process, lang)]) from None
    return spec, subprocess_specs


def _rejected(element: etree._Element | None, lang: str) -> BpmnProblem:
    tag = model.prefixed(element.tag) if element is not None and isinstance(element.tag, str) else "bpmn:process"
    return make_problem("engine.rejected", lang, element, tag=tag)


def translate_validation(exc: ValidationException, tree: etree._ElementTree, lang: str,
                         process: etree._Element | None = None) -> BpmnProblem:
    """Turn SpiffWorkflow's ValidationException into a located problem in the reader's words.

    The element comes from the exception's id; failing that, from what the message names; failing that, the
    process being built, so a problem is never without a place.
    """
    text = str(exc.args[0]) if exc.args else str(exc)
    root = tree.getroot()
    element_id = getattr(exc, "id", "") or None
    element = model.find_by_id(root, element_id) if element_id else None
    for pattern, code in _SPIFF_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        fields: dict[str, object] = dict(match.groupdict())
        if code == "element.unsupported" and element is not None:
            fields["tag"] = model.prefixed(element.tag)
        elif code == "task.multiple_outgoing" and element is not None:
            fields["count"] = len(_outgoing(element))
        elif code == "foreign.data_store":
            name = str(fields["name"])
            element = next((ds for ds in root.iter(model.bpmn("dataStore")) if ds.get("name") == name), element)
        elif code == "ref.data_missing" and element is not None:
            fields["ref"] = _unresolved_data_ref(element, str(fields.pop("direction")), root)
        elif code == "ref.event_missing":
            kind = str(fields.pop("kind")).lower()
            if element is not None and model.local_name(element).endswith("EventDefinition"):
                element = element.getparent()  # the event, which is what people see and select
                element_id = element.get("id") if element is not None else element_id
            definition = element.find(f".//{model.bpmn(kind + 'EventDefinition')}") if element is not None else None
            fields.update(kind=label(f"kind_{kind}", lang), definition=kind,
                          ref=definition.get(_EVENT_REFS[kind], "") if definition is not None else "")
        elif code == "foreign.dmn":
            fields["decision"] = "" if fields.get("decision") in (None, "None") else fields["decision"]
        elif code == "engine.chain_too_long":
            element = process  # where the engine gave up says nothing about where the chain is
        element = element if element is not None else process
        return make_problem(code, lang, element, element_id=element_id if element is None else None, **fields)
    _log.info("Untranslated SpiffWorkflow complaint about %s: %s", element_id or "?", text)
    return _rejected(element if element is not None else process, lang)


def _unresolved_data_ref(element: etree._Element, direction: str, root: etree._Element) -> str:
    """The first data association reference of ``element`` that names no data object the engine can use."""
    objects = {el.get("id") for el in root.iter(model.bpmn("dataObjectReference"), model.bpmn("dataObject"))}
    ref_tag = "sourceRef" if direction == "Input" else "targetRef"
    for ref in element.iterfind(f"{model.bpmn('data' + direction + 'Association')}/{model.bpmn(ref_tag)}"):
        if (ref.text or "").strip() not in objects:
            return (ref.text or "").strip()
    return ""


def _outgoing(element: etree._Element) -> list[etree._Element]:
    scope = element.getparent()
    if scope is None:
        return []
    return [f for f in model.sequence_flows(scope) if f.get("sourceRef") == element.get("id")]


__all__ = [
    "SERIALIZER_CONFIG",
    "CamundaAwareUserTaskParser",
    "LoadedProcess",
    "SunshineBpmnParser",
    "build_spec",
    "check_root",
    "load_process",
    "over_limits",
    "schema_problems",
    "select_executable",
    "size_problems",
    "translate_validation",
]
