"""What other modelling tools and engines write into BPMN: their namespaces and their expression languages.

A model from Camunda, Flowable or Activiti runs on a Java engine that evaluates JUEL (``${approved}``); Camunda 8
evaluates FEEL (``=approved``); descriptive tools (Signavio, Bizagi, ADONIS, Trisotech, IBM, …) add their own
extension namespaces. The platform evaluates Python, so it names these instead of letting SpiffWorkflow trip
on them, and offers the Python form of a condition when the translation is certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from lxml import etree

from engine.bpmn.model import ACTIVITI_NS, CAMUNDA_NS, FLOWABLE_NS, ZEEBE_NS
from engine.bpmn.sandbox import check_expression

#: The Java engines' namespaces, whose attributes and extension elements all mean the same thing.
JAVA_ENGINE_NAMESPACES: Final = (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS)

#: Namespaces that never need a word: BPMN itself, its diagram, XML Schema and the platform's own.
NATIVE_NAMESPACES: Final = frozenset({
    "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/2001/XMLSchema",
    "http://www.w3.org/XML/1998/namespace",
    "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "http://bpmn.io/schema/bpmn",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    "http://camunda.org/schema/modeler/1.0",
})

# Substrings of a namespace URI or of the ``exporter`` attribute → the tool people know by that name.
_TOOLS: Final = (
    ("camunda.org/schema/zeebe", "Camunda 8"),
    ("camunda", "Camunda"),
    ("flowable", "Flowable"),
    ("activiti", "Activiti"),
    ("signavio", "Signavio"),
    ("bizagi", "Bizagi"),
    ("boc-group", "ADONIS"),
    ("adonis", "ADONIS"),
    ("trisotech", "Trisotech"),
    ("workflow modeler", "Trisotech"),
    ("ibm.com", "IBM"),
    ("ibm ", "IBM"),
    ("blueworks", "IBM"),
    ("sap.com", "SAP"),
    ("softwareag", "ARIS"),
    ("aris", "ARIS"),
    ("visual-paradigm", "Visual Paradigm"),
    ("visual paradigm", "Visual Paradigm"),
    ("bonitasoft", "Bonita"),
    ("jboss.org/drools", "jBPM"),
    ("jbpm", "jBPM"),
    ("yaoqiang", "Yaoqiang"),
    ("sparxsystems", "Enterprise Architect"),
    ("enterprise architect", "Enterprise Architect"),
    ("microsoft", "Visio"),
    ("visio", "Visio"),
)
_NATIVE_EXPORTERS: Final = ("bpmn-js", "spiff", "sunshine")


def tool_named(text: str) -> str | None:
    """The tool a namespace URI or an ``exporter`` value names, if it is one we know."""
    lowered = text.lower()
    return next((tool for needle, tool in _TOOLS if needle in lowered), None)


def exporter_tool(root: etree._Element) -> str | None:
    """The other tool that wrote this file according to its ``exporter`` attribute (None for bpmn-js/Spiff)."""
    exporter = (root.get("exporter") or "").strip()
    if not exporter or any(native in exporter.lower() for native in _NATIVE_EXPORTERS):
        return None
    return tool_named(exporter) or exporter[:40]


@dataclass(frozen=True)
class Foreign:
    """An expression written for another engine: its language and, when certain, the Python to write instead."""

    language: str
    python: str | None


_JUEL = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<number>\d+(?:\.\d+)?)|"""
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>&&|\|\||==|!=|<=|>=|[!<>()+\-*/%=.\[\]?:,{}]))"""
)
_JUEL_WORDS: Final = {
    "and": "and", "or": "or", "not": "not", "empty": "not", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
    "le": "<=", "ge": ">=", "div": "/", "mod": "%", "true": "True", "false": "False", "null": "None",
}
_JUEL_OPS: Final = {"&&": "and", "||": "or", "!": "not", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=",
                    ">=": ">=", "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "(": "(", ")": ")"}
_FEEL_WORDS: Final = {"and": "and", "or": "or", "not": "not", "true": "True", "false": "False", "null": "None"}
_FEEL_OPS: Final = {"=": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "+": "+", "-": "-",
                    "*": "*", "/": "/", "(": "(", ")": ")"}
_MAX_TRANSLATED = 200


def foreign_expression(text: str | None) -> Foreign | None:
    """The other engine's expression language ``text`` is written in (JUEL or FEEL), or None for plain code."""
    stripped = (text or "").strip()
    if not stripped:
        return None
    match = _JUEL.match(stripped)
    if match:
        return Foreign("JUEL", _translate(match.group("body"), _JUEL_WORDS, _JUEL_OPS))
    if "${" in stripped or "#{" in stripped:
        return Foreign("JUEL", None)  # an expression inside text: "${a}-${b}"
    if stripped.startswith("=") and not stripped.startswith("=="):
        return Foreign("FEEL", _translate(_plain_not(stripped[1:]), _FEEL_WORDS, _FEEL_OPS))
    return None


def _plain_not(body: str) -> str:
    # FEEL negates with a function, not(x); the Python for a single name is `not x`.
    return re.sub(r"\bnot\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", r"not \1", body)


def _translate(body: str, words: dict[str, str], ops: dict[str, str]) -> str | None:
    """Token-by-token Python for a comparison/boolean expression over plain names; None if anything else."""
    if len(body) > _MAX_TRANSLATED:
        return None
    out: list[str] = []
    position = 0
    body = body.strip()
    joining = set(ops.values()) | {"and", "or", "not"}
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        kind = match.lastgroup
        token = match.group(kind or "")
        if kind == "op":
            if token not in ops:
                return None  # property access, method calls, ternaries, lists: rewrite by hand
            mapped = ops[token]
            if mapped == "(" and out and out[-1] not in joining:
                return None  # a function call
        else:
            mapped = words.get(token, token) if kind == "name" else token
            if mapped not in joining and out and out[-1] not in joining - {")"}:
                return None  # two values side by side: not an expression we can read
        out.append(mapped)
    python = _join(out)
    if not python or check_expression(python, "en") is not None:
        return None
    return python


def _join(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        if not text or text.endswith("(") or token == ")":
            text += token
        else:
            text += " " + token
    return text


def tool_form(key: str) -> str | None:
    """The kind of a form key the platform cannot show: "html", a tool's own format, or an expression."""
    stripped = key.strip()
    lowered = stripped.lower()
    if foreign_expression(stripped) is not None:
        return "expression"
    if lowered.startswith("embedded:") or lowered.endswith((".html", ".htm", ".jsp", ".xhtml")):
        return "html"
    if lowered.startswith("camunda-forms:") or lowered.endswith(".form"):
        return "Camunda Forms"
    return None


def is_python_language(language: str | None) -> bool:
    """True when a ``scriptFormat`` or expression ``language`` means Python (or says nothing)."""
    value = (language or "").strip().lower()
    return value in ("", "python", "python3", "text/x-python", "py") or value.endswith("/python")


__all__ = [
    "ACTIVITI_NS",
    "CAMUNDA_NS",
    "FLOWABLE_NS",
    "JAVA_ENGINE_NAMESPACES",
    "NATIVE_NAMESPACES",
    "ZEEBE_NS",
    "Foreign",
    "exporter_tool",
    "foreign_expression",
    "is_python_language",
    "tool_form",
    "tool_named",
]
