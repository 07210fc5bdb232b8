"""What changed between two versions of a power: public fields, and the flowchart element by element."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn import parse_xml
from engine.bpmn.model import lane_of, lanes_by_node, local_name, properties, timer_boundaries, timer_field
from engine.bpmn.problems import BpmnError
from engine.catalog.fields import FIELDS

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ElementChange:
    kind: str  # added | removed | changed
    element_id: str
    tag: str
    name: str
    details: list[str]


def diff_fields(before: dict[str, Any], after: dict[str, Any], lang: str = "zh") -> list[FieldChange]:
    """Public fields whose value differs, in the catalog's field order."""
    return [FieldChange(f.key, f.label(lang), before.get(f.key), after.get(f.key))
            for f in FIELDS if before.get(f.key) != after.get(f.key)]


def _elements(xml: str | None) -> dict[str, dict[str, str]]:
    if not xml:
        return {}
    try:
        root = parse_xml(xml.encode(), "diff.bpmn").getroot()
    except BpmnError:
        return {}
    out: dict[str, dict[str, str]] = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        lanes = lanes_by_node(process)
        timers = timer_boundaries(process)
        for el in process.iter():
            if not isinstance(el.tag, str) or not el.get("id") or local_name(el) in ("lane", "laneSet", "process"):
                continue
            if not el.tag.startswith(f"{{{BPMN_NS}}}") or local_name(el) in _SKIP:
                continue
            facts = {"tag": local_name(el), "name": el.get("name") or ""}
            lane = lane_of(el, lanes)
            if lane is not None:
                facts["lane"] = lane.get("name") or ""
            facts.update({f"property {k}": v for k, v in properties(el).items()})
            for boundary in timers.get(el.get("id"), []):
                found = timer_field(_timer_definition(boundary))
                if found:
                    facts["time limit"] = (found[1].text or "").strip()
            if local_name(el) == "sequenceFlow":
                facts["from → to"] = f"{el.get('sourceRef')} → {el.get('targetRef')}"
                cond = el.find(f"{{{BPMN_NS}}}conditionExpression")
                if cond is not None:
                    facts["condition"] = (cond.text or "").strip()
            out[el.get("id")] = facts
    return out


_SKIP = {"incoming", "outgoing", "extensionElements", "conditionExpression", "timerEventDefinition", "timeDate",
         "timeDuration", "timeCycle", "documentation", "flowNodeRef", "script", "text"}


def _timer_definition(boundary: etree._Element) -> etree._Element:
    found = boundary.find(f"{{{BPMN_NS}}}timerEventDefinition")
    return found if found is not None else boundary


def diff_flowcharts(before: str | None, after: str | None) -> list[ElementChange]:
    """Elements added, removed, or changed (name, lane, time limit, form, condition…) between two BPMN texts."""
    a, b = _elements(before), _elements(after)
    changes = []
    for eid in sorted(a.keys() | b.keys(), key=lambda k: (k not in a, k)):
        if eid not in a:
            changes.append(ElementChange("added", eid, b[eid]["tag"], b[eid]["name"], []))
        elif eid not in b:
            changes.append(ElementChange("removed", eid, a[eid]["tag"], a[eid]["name"], []))
        else:
            keys = sorted(a[eid].keys() | b[eid].keys())
            details = [f"{k}: {a[eid].get(k, '—')} → {b[eid].get(k, '—')}"
                       for k in keys if a[eid].get(k) != b[eid].get(k)]
            if details:
                changes.append(ElementChange("changed", eid, b[eid]["tag"], b[eid]["name"], details))
    return changes
