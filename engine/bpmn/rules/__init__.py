"""Sunshine's BPMN convention rules (DESIGN §4), one small function per rule.

Each rule takes the lint context and one executable ``bpmn:process`` element and returns problems.
The order matters only in that the timer rule fills ``LintContext.step_days`` for the limit rule.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.clock_marks import check_clock_marks
from engine.bpmn.rules.context import LintContext
from engine.bpmn.rules.foreign import check_foreign
from engine.bpmn.rules.forms import check_forms
from engine.bpmn.rules.lanes import check_lanes
from engine.bpmn.rules.limits import check_limits
from engine.bpmn.rules.references import check_references
from engine.bpmn.rules.scripts import check_scripts
from engine.bpmn.rules.structure import (
    check_conditions_compile,
    check_dead_ends,
    check_flow_references,
    check_gateway_conditions,
    check_multiple_outgoing,
    check_reachability,
    check_reserved_ids,
    check_start_and_end,
)
from engine.bpmn.rules.timers import check_timers
from engine.bpmn.rules.variables import check_condition_names

Rule = Callable[[LintContext, etree._Element], list[BpmnProblem]]

# Rules that also make sense for a descriptive (display-only) model.
# check_foreign comes first everywhere: the engine's own complaint about an element it already named is dropped.
DISPLAY_RULES: tuple[Rule, ...] = (check_foreign, check_flow_references)

PROCESS_RULES: tuple[Rule, ...] = (
    check_foreign,
    check_reserved_ids,
    check_start_and_end,
    check_flow_references,
    check_references,
    check_reachability,
    check_dead_ends,
    check_multiple_outgoing,
    check_gateway_conditions,
    check_conditions_compile,
    check_condition_names,
    check_scripts,
    check_lanes,
    check_timers,
    check_forms,
    check_limits,
    check_clock_marks,
)

__all__ = ["DISPLAY_RULES", "PROCESS_RULES", "LintContext", "Rule"]
