"""Parse, validate and lint BPMN for Sunshine (DESIGN §4); safe XML parsing. Imports no Flask."""

from engine.bpmn.lint import check_bpmn
from engine.bpmn.parser import SERIALIZER_CONFIG, LoadedProcess, SunshineBpmnParser, load_process
from engine.bpmn.problems import BpmnError, BpmnProblem, CheckReport, format_problem
from engine.bpmn.safe_xml import parse_xml

__all__ = [
    "SERIALIZER_CONFIG",
    "BpmnError",
    "BpmnProblem",
    "CheckReport",
    "LoadedProcess",
    "SunshineBpmnParser",
    "check_bpmn",
    "format_problem",
    "load_process",
    "parse_xml",
]
