"""Limits add up (DESIGN §4.9): step limits along the longest path fit the promise; promise ≤ law."""

from __future__ import annotations

import math

from lxml import etree

from engine.bpmn import model
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext, fmt_days
from engine.bpmn.rules.structure import entry_points, successors
from engine.bpmn.rules.timers import is_paused

_EPSILON = 1e-9


def _limit(
    ctx: LintContext, process: etree._Element, given: float | None, name: str, problems: list[BpmnProblem]
) -> float | None:
    if given is not None:
        return float(given)
    raw = model.properties(process).get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        problems.append(ctx.problem("limit.bad_property", process, property=name, value=raw))
        return None
    return value


def longest_path(ctx: LintContext, scope: etree._Element) -> tuple[float, list[etree._Element]]:
    """Largest sum of step limits on a path from a start event, ignoring arrows that loop back."""
    nodes, succ = successors(scope)
    weights = {node_id: _weight(ctx, el) for node_id, el in nodes.items()}
    starts = entry_points(scope, nodes)

    # Depth-first search marks arrows into a node still on the stack as loop-backs and yields a
    # finishing order whose reverse is a topological order of what is left.
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    finished: list[str] = []
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(succ[start]))]
        while stack:
            node_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node_id] = 2
                finished.append(node_id)
                stack.pop()
            elif state.get(child) == 1:
                back.add((node_id, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))

    best: dict[str, float] = {s: weights[s] for s in starts}
    previous: dict[str, str] = {}
    for node_id in reversed(finished):
        if node_id not in best:
            continue
        for child in succ[node_id]:
            if (node_id, child) in back:
                continue
            candidate = best[node_id] + weights[child]
            if candidate > best.get(child, -1.0) + _EPSILON:
                best[child] = candidate
                previous[child] = node_id
    if not best:
        return 0.0, []
    end = max(best, key=lambda k: best[k])
    path: list[etree._Element] = []
    cursor: str | None = end
    while cursor is not None:
        if weights[cursor] > 0:
            path.append(nodes[cursor])
        cursor = previous.get(cursor)
    path.reverse()
    return best[end], path


def _weight(ctx: LintContext, element: etree._Element) -> float:
    if is_paused(element):
        return 0.0
    own = ctx.step_days.get(element.get("id", ""))
    if own is not None:
        return own
    if model.is_bpmn(element, *model.SUBPROCESS_TAGS):
        return longest_path(ctx, element)[0]
    return 0.0


def check_limits(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Sum of step limits ≤ promised limit ≤ legal limit, in working days."""
    problems: list[BpmnProblem] = []
    promised = _limit(ctx, process, ctx.promised_limit_days, "promised_limit_days", problems)
    legal = _limit(ctx, process, ctx.legal_limit_days, "legal_limit_days", problems)
    if promised is not None and legal is not None and promised > legal + _EPSILON:
        problems.append(
            ctx.problem(
                "limit.promised_exceeds_legal", process, promised=fmt_days(promised), legal=fmt_days(legal)
            )
        )
    if promised is None:
        return problems
    total, path = longest_path(ctx, process)
    if total > promised + _EPSILON:
        shown = label("path_arrow", ctx.lang).join(
            f"{el.get('name') or el.get('id')}({fmt_days(_weight(ctx, el))})" for el in path
        )
        problems.append(
            ctx.problem(
                "limit.exceeds_promised",
                process,
                total=fmt_days(total),
                promised=fmt_days(promised),
                path=shown,
            )
        )
    return problems
