"""Step hooks: keyed by (process, step), and ``after_any`` hooks that see every completed step."""

from __future__ import annotations

from typing import Any, cast

from engine.runtime.hooks import Hooks, StepEvent


def _event(process_key: str, bpmn_id: str) -> StepEvent:
    none = cast(Any, None)
    return StepEvent(none, none, process_key, bpmn_id, {}, none, task_id="t", step_name="s")


def test_after_any_hooks_run_after_every_step_following_the_step_s_own_hooks():
    hooks, seen = Hooks(), []
    hooks.after("review", "publish", lambda e: seen.append(("publish", e.bpmn_id)))
    hooks.after_any(lambda e: seen.append(("any", e.bpmn_id)))
    hooks.run_after(_event("review", "publish"))
    hooks.run_after(_event("penalty", "decide"))
    hooks.run_before(_event("penalty", "decide"))
    assert seen == [("publish", "publish"), ("any", "publish"), ("any", "decide")]
