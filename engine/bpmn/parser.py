"""SpiffWorkflow parser for Sunshine and ``load_process``, the one way to turn BPMN bytes into a spec.

Extends SpiffBpmnParser to keep the Camunda task attributes it drops (brief §6) and to normalise timer
texts (brief §3); everything that goes wrong comes back as located :class:`BpmnProblem` values.
"""

from __future__ import annotations

import copy
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
from engine.bpmn.problems import BpmnError, BpmnProblem, make_problem
from engine.bpmn.safe_xml import parse_xml
from engine.bpmn.timers import normalise_timer_text, timer_kind

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


class SunshineBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser plus Camunda task attributes and Sunshine's timer conventions."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (CamundaAwareUserTaskParser, UserTask),
        full_tag("boundaryEvent"): (SunshineBoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (SunshineIntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("startEvent"): (SunshineStartEventParser, StartEvent),
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
    data: bytes, filename: str, *, lang: str = "zh", max_bytes: int | None = None
) -> LoadedProcess:
    """Parse, validate and build the single executable process in ``data``; raise BpmnError if impossible."""
    tree = parse_xml(data, filename, lang=lang, max_bytes=max_bytes)
    root = tree.getroot()
    problems = check_root(root, lang)
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


def check_root(root: etree._Element, lang: str) -> list[BpmnProblem]:
    """A problem when the document is XML but not BPMN (e.g. an SVG)."""
    if root.tag == model.bpmn("definitions"):
        return []
    shown = model.prefixed(root.tag) if isinstance(root.tag, str) else str(root.tag)
    return [make_problem("xml.not_bpmn", lang, line=root.sourceline, root=shown)]


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

_XSD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Element '(?P<tag>[^']+)': This element is not expected"), "xsd.unexpected_element"),
    (re.compile(r"Element '(?P<tag>[^']+)': No matching global declaration"), "xsd.unexpected_element"),
    (
        re.compile(r"Element '(?P<tag>[^']+)': The attribute '(?P<attribute>[^']+)' is required but missing"),
        "xsd.missing_attribute",
    ),
    (
        re.compile(
            r"Element '(?P<tag>[^']+)', attribute '(?P<attribute>[^']+)': "
            r"The attribute '[^']+' is not allowed"
        ),
        "xsd.unknown_attribute",
    ),
    (
        re.compile(
            r"Element '(?P<tag>[^']+)', attribute 'id': '(?P<value>[^']+)' is not a valid value of the "
            r"atomic type 'xs:ID'"
        ),
        "xsd.duplicate_id",
    ),
    (re.compile(r"Element '(?P<tag>[^']+)'(?:, attribute '[^']+')?: (?P<detail>.+)"), "xsd.bad_value"),
)
_CLARK = re.compile(r"\{([^}]*)\}(\w+)")


def schema_problems(tree: etree._ElementTree, lang: str) -> list[BpmnProblem]:
    """Validate against the BPMN 2.0 + SpiffWorkflow XSD and word every error plainly, with its line."""
    # Spiff's validator rewrites some tags in place before validating; work on a copy.
    copied = copy.deepcopy(tree)
    VALIDATOR.preprocess(copied)
    schema: etree.XMLSchema = VALIDATOR.validator
    if schema.validate(copied):
        return []
    problems: list[BpmnProblem] = []
    seen: set[tuple[int, str]] = set()
    for error in schema.error_log:
        key = (error.line, error.message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(_xsd_problem(error.message, error.line, tree, lang))
    return problems


def _xsd_problem(message: str, line: int, tree: etree._ElementTree, lang: str) -> BpmnProblem:
    readable = _CLARK.sub(lambda m: model.prefixed("{" + m.group(1) + "}" + m.group(2)), message)
    element = _element_at_line(tree, line)
    for pattern, code in _XSD_PATTERNS:
        match = pattern.search(readable)
        if match:
            fields = match.groupdict()
            if code == "xsd.bad_value":
                fields["detail"] = fields["detail"].rstrip(".")
            return make_problem(code, lang, element, line=line, **fields)
    return make_problem("xsd.invalid", lang, element, line=line, detail=readable)


def _element_at_line(tree: etree._ElementTree, line: int) -> etree._Element | None:
    for el in tree.getroot().iter():
        if isinstance(el.tag, str) and el.sourceline == line and el.get("id"):
            return el
    return None


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
)


def build_spec(
    tree: etree._ElementTree, process_id: str, filename: str, lang: str
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Run SunshineBpmnParser on ``tree``; raise BpmnError with located, translated problems."""
    parser = SunshineBpmnParser()
    try:
        parser.add_bpmn_xml(tree.getroot(), filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise BpmnError([translate_validation(exc, tree, lang)]) from None
    except Exception as exc:  # SpiffWorkflow raises plain exceptions for some broken models
        raise BpmnError(
            [make_problem("engine.rejected", lang, detail=f"{type(exc).__name__}: {exc}")]
        ) from None
    return spec, subprocess_specs


def translate_validation(exc: ValidationException, tree: etree._ElementTree, lang: str) -> BpmnProblem:
    """Turn SpiffWorkflow's ValidationException into a problem, finding the line by element id."""
    text = str(exc.args[0]) if exc.args else str(exc)
    element_id = getattr(exc, "id", "") or None
    element = model.find_by_id(tree.getroot(), element_id) if element_id else None
    line = getattr(exc, "line_number", None)
    line = line if isinstance(line, int) and line > 0 else None
    for pattern, code in _SPIFF_PATTERNS:
        match = pattern.search(text)
        if match:
            fields: dict[str, object] = dict(match.groupdict())
            if code == "element.unsupported" and element is not None:
                fields["tag"] = model.prefixed(element.tag)
            if code == "task.multiple_outgoing" and element is not None:
                fields["count"] = len(_outgoing(element))
            return make_problem(code, lang, element, element_id=element_id, line=line, **fields)
    return make_problem("engine.rejected", lang, element, element_id=element_id, line=line, detail=text)


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
    "schema_problems",
    "select_executable",
    "translate_validation",
]
