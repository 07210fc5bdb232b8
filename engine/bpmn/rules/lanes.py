"""Lanes are posts (DESIGN §4.2): every user task is in a named lane or names its handlers."""

from __future__ import annotations

from lxml import etree

from engine.bpmn import model
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext


def _innermost_lanes(process: etree._Element) -> list[etree._Element]:
    return [
        lane for lane in process.iter(model.bpmn("lane")) if lane.find(model.bpmn("childLaneSet")) is None
    ]


def _groups(value: str) -> list[str]:
    # ${…} is a Camunda expression decided at run time; it cannot be checked against posts here.
    return [g.strip() for g in value.split(",") if g.strip() and "${" not in g and "#{" not in g]


def check_lanes(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """User tasks lie in a named lane (or carry candidateGroups/assignee); lane names are known posts."""
    problems: list[BpmnProblem] = []
    lanes = model.lanes_by_node(process)
    reported_lanes: set[int] = set()
    for task in model.iter_descendants(process, "userTask"):
        camunda = model.camunda_attributes(task)
        lane = model.lane_of(task, lanes)
        assigned = bool(
            (camunda.get("candidateGroups") or "").strip() or (camunda.get("assignee") or "").strip()
        )
        if lane is None and not assigned:
            problems.append(ctx.problem("lane.missing", task))
        elif (
            lane is not None
            and not (lane.get("name") or "").strip()
            and not assigned
            and id(lane) not in reported_lanes
        ):
            reported_lanes.add(id(lane))
            problems.append(ctx.problem("lane.unnamed", lane))
        if ctx.posts is not None:
            for group in _groups(camunda.get("candidateGroups") or ""):
                if group not in ctx.posts:
                    problems.append(ctx.problem("group.unknown_post", task, group=group, posts=_posts(ctx)))
    if ctx.posts is not None:
        for lane in _innermost_lanes(process):
            name = (lane.get("name") or "").strip()
            if name and name not in ctx.posts:
                problems.append(ctx.problem("lane.unknown_post", lane, lane=name, posts=_posts(ctx)))
    return problems


def _posts(ctx: LintContext) -> str:
    if not ctx.posts:
        return label("none", ctx.lang)
    return label("list_sep", ctx.lang).join(sorted(ctx.posts))
