"""Build small BPMN documents for rule tests, and find where things are in them."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_t" targetNamespace="http://example.org/sunshine">
"""


def fixture(name: str) -> bytes:
    """Bytes of a file in fixtures/."""
    return (FIXTURES / name).read_bytes()


def process(body: str, *, process_id: str = "Process_t", executable: str | None = "true") -> bytes:
    """A document holding one process with ``body`` (no diagram: rule tests do not need one)."""
    attr = f' isExecutable="{executable}"' if executable is not None else ""
    return (
        HEADER + f'  <bpmn:process id="{process_id}" name="测试流程"{attr}>\n{body}\n  </bpmn:process>\n'
        "</bpmn:definitions>\n"
    ).encode()


def user_task(
    task_id: str, name: str, timer: str | None = "workdays(2)", extra: str = "", attrs: str = ""
) -> str:
    """A user task and, unless ``timer`` is None, a non-interrupting timeDate boundary timer on it."""
    xml = f'<bpmn:userTask id="{task_id}" name="{name}"{attrs}>{extra}</bpmn:userTask>\n'
    if timer is not None:
        xml += (
            f'<bpmn:boundaryEvent id="{task_id}_timer" name="{name}时限" cancelActivity="false" '
            f'attachedToRef="{task_id}">\n'
            f"  <bpmn:timerEventDefinition><bpmn:timeDate>{timer}</bpmn:timeDate>"
            "</bpmn:timerEventDefinition>\n"
            "</bpmn:boundaryEvent>\n"
        )
    return xml


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    """A sequence flow, with a condition expression when given."""
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />\n'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
    )


def lanes(**members: list[str]) -> str:
    """A lane set: lane name → flow node ids (lane ids are generated)."""
    xml = '<bpmn:laneSet id="LaneSet_t">\n'
    for index, (name, ids) in enumerate(members.items()):
        refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
        xml += f'  <bpmn:lane id="Lane_{index}" name="{name}">{refs}</bpmn:lane>\n'
    return xml + "</bpmn:laneSet>\n"


def linear(*tasks: tuple[str, str], lane_name: str = "承办", timer: str | None = "workdays(2)") -> str:
    """Start → each (id, name) user task in one lane → end."""
    ids = [t[0] for t in tasks]
    body = lanes(**{lane_name: ["StartEvent_1", *ids, *(f"{i}_timer" for i in ids), "EndEvent_1"]})
    body += '<bpmn:startEvent id="StartEvent_1" name="开始" />\n'
    for task_id, name in tasks:
        body += user_task(task_id, name, timer=timer)
    body += '<bpmn:endEvent id="EndEvent_1" name="办结" />\n'
    chain = ["StartEvent_1", *ids, "EndEvent_1"]
    for index, (a, b) in enumerate(zip(chain, chain[1:], strict=False)):
        body += flow(f"Flow_{index}", a, b)
    return body


def line_of(data: bytes, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``data``."""
    text = data.decode("utf-8")
    index = text.index(needle)
    return text.count("\n", 0, index) + 1
