"""Generated flowcharts too big or too odd to commit: the shapes of issue 12 §2.3, built in memory.

``python tests/engine/bpmn/big_models.py many_tasks 200000 > big.bpmn`` writes one out for timing by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_big" '
         'targetNamespace="http://example.org/big">\n<process id="Process_big" isExecutable="true">\n')
_CLOSE = "</process>\n</definitions>\n"


def _document(body: Iterator[str]) -> bytes:
    return (_OPEN + "".join(body) + _CLOSE).encode()


def many_tasks(n: int) -> bytes:
    """The issue's 3.9 MB file: a start and an end event joined by one arrow, and ``n`` loose user tasks."""
    def body() -> Iterator[str]:
        yield '<startEvent id="S"/>\n<endEvent id="E"/>\n<sequenceFlow id="F" sourceRef="S" targetRef="E"/>\n'
        for i in range(n):
            yield f'<userTask id="T{i}"/>\n'
    return _document(body())


def chain(n: int, tag: str = "task") -> bytes:
    """Start → ``n`` tasks one after another → end."""
    def body() -> Iterator[str]:
        yield '<startEvent id="S"/>\n'
        previous = "S"
        for i in range(n):
            yield f'<{tag} id="T{i}"/>\n<sequenceFlow id="F{i}" sourceRef="{previous}" targetRef="T{i}"/>\n'
            previous = f"T{i}"
        yield f'<endEvent id="E"/>\n<sequenceFlow id="F_end" sourceRef="{previous}" targetRef="E"/>\n'
    return _document(body())


def gateways(n: int) -> bytes:
    """``n`` exclusive gateways in a row, each with a second way out to the end: many arrows per gateway."""
    def body() -> Iterator[str]:
        yield '<startEvent id="S"/>\n<endEvent id="E"/>\n'
        previous = "S"
        for i in range(n):
            yield (f'<exclusiveGateway id="G{i}"/>\n<sequenceFlow id="F{i}" sourceRef="{previous}" targetRef="G{i}"/>\n'
                   f'<sequenceFlow id="X{i}" sourceRef="G{i}" targetRef="E"/>\n')
            previous = f"G{i}"
    return _document(body())


def schema_errors(n: int) -> bytes:
    """``n`` tasks that each break the BPMN schema (an attribute the standard does not know)."""
    def body() -> Iterator[str]:
        yield '<startEvent id="S"/>\n<endEvent id="E"/>\n<sequenceFlow id="F" sourceRef="S" targetRef="E"/>\n'
        for i in range(n):
            yield f'<task id="T{i}" colour="red"/>\n'
    return _document(body())


def scripts(n: int, lines: int = 40) -> bytes:
    """``n`` chained script tasks with ``lines`` lines of code each."""
    code = "\n".join(f"total_{j} = {j} * 2 + len([x for x in range({j})])" for j in range(lines))

    def body() -> Iterator[str]:
        yield '<startEvent id="S"/>\n'
        previous = "S"
        for i in range(n):
            yield (f'<scriptTask id="T{i}"><script>{code}</script></scriptTask>\n'
                   f'<sequenceFlow id="F{i}" sourceRef="{previous}" targetRef="T{i}"/>\n')
            previous = f"T{i}"
        yield f'<endEvent id="E"/>\n<sequenceFlow id="F_end" sourceRef="{previous}" targetRef="E"/>\n'
    return _document(body())


def nested(depth: int) -> bytes:
    """Subprocesses ``depth`` levels deep, each with a start, an end and the next level between them."""
    opened = "".join(f'<subProcess id="Sub{i}"><startEvent id="S{i}"/><endEvent id="E{i}"/>'
                     f'<sequenceFlow id="F{i}a" sourceRef="S{i}" targetRef="Sub{i + 1}"/>'
                     f'<sequenceFlow id="F{i}b" sourceRef="Sub{i + 1}" targetRef="E{i}"/>\n' for i in range(depth))
    inner = f'<task id="Sub{depth}"/>'
    closed = "</subProcess>" * depth
    body = ('<startEvent id="S"/><endEvent id="E"/><sequenceFlow id="Fa" sourceRef="S" targetRef="Sub0"/>'
            f'<sequenceFlow id="Fb" sourceRef="Sub0" targetRef="E"/>\n{opened}{inner}{closed}\n')
    return _document(iter([body]))


SHAPES: dict[str, Callable[[int], bytes]] = {
    "many_tasks": many_tasks, "chain": chain, "gateways": gateways, "schema_errors": schema_errors,
    "scripts": scripts, "nested": nested,
}

if __name__ == "__main__":
    sys.stdout.buffer.write(SHAPES[sys.argv[1]](int(sys.argv[2])))
