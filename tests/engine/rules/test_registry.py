"""The rules in force have one home: the tick and the runtime's hooks ask the registry, and a step no rule concerns
costs the rules no statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import event, select

from engine import alerts
from engine.platform import build_runtime
from engine.rules import registry
from engine.rules.registry import AFTER_STEP, RULES, TICK, WHEN, Rule
from engine.runtime.cases import complete_task
from engine.runtime.hooks import StepEvent
from engine.runtime.runtime import Runtime
from engine.store import Alert
from engine.supervisor.tick import tick
from tests.engine.files.helpers import attach_evidence
from tests.engine.rules.walks import APPROVE, REVIEW, reviewing
from tests.engine.runtime.operations.conftest import bj, step, user, work
from tests.settings import make_settings


def test_every_rule_has_an_id_a_seed_article_a_time_to_run_and_messages_in_both_languages():
    ids = [rule.id for rule in RULES]
    assert ids == ["T1", "T2", "T3", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "W1", "D1", "D2", "DB1",
                   "DB2"] and len(set(ids)) == len(ids)
    for rule in RULES:
        assert rule.source.startswith("seed 0") and rule.when in WHEN and rule.level in ("yellow", "red"), rule
        assert rule.name("zh") != rule.name("en") and rule.when_text("en") != rule.when_text("zh")
        if rule.when != registry.CATALOG:  # D1 is shown on the catalog page, not raised as an alert
            specs = [spec for key, spec in alerts.RULES.items() if key.split("@")[0] == rule.id]
            assert specs and all(spec["zh"] and spec["en"] for spec in specs), rule.id
    assert registry.BY_ID["P7"].line("zh") == (
        "P7  [环节办结后] 同一办件第二次要求补正（违反一次性告知）→ 红灯报警 — 依据: seed 004 第十一条(二)")
    assert registry.BY_ID["T2"].line("en") == (
        "T2  [supervisor tick] A step passes its time limit → red — source: seed 000 第二十三条; seed 003")


def test_the_tick_runs_the_registered_tick_rules_t1_to_t3_inside_itself(db, monkeypatch):
    # T1–T3 are the tick's own batched reads; these are the rules it asks after them.
    assert [rule.id for rule in registry.tick_rules()] == ["P9", "W1", "DB1"]
    calls: list[datetime] = []

    def extra(rt: Runtime, now: datetime) -> int:
        calls.append(now)
        return 2

    monkeypatch.setattr(registry, "RULES", (*RULES, Rule("X1", "试验", "trial", "seed 000", TICK, "red", "test",
                                                         tick=extra)))
    rt = build_runtime(db.sessions, make_settings(database_url=db.url))
    moment = datetime.fromisoformat("2026-11-23T02:00:00+00:00")
    result = tick(rt, moment)
    assert calls == [moment] and result.red == 2


def _counting(monkeypatch: pytest.MonkeyPatch, engine: Any) -> list[list[str]]:
    """Register rules first and last in the registry that mark where the real after-step rules run; the statements
    each step's rules sent, in a list per step."""
    per_step: list[list[str]] = []
    state = {"on": False}

    def begin(rt: Runtime) -> Any:
        def hook(e: StepEvent) -> None:
            per_step.append([])
            state["on"] = True
        return hook

    def end(rt: Runtime) -> Any:
        def hook(e: StepEvent) -> None:
            state["on"] = False
        return hook

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if state["on"]:
            per_step[-1].append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    monkeypatch.setattr(registry, "RULES", (Rule("X0", "始", "begin", "seed 000", AFTER_STEP, "red", "test",
                                                 after_step=begin), *RULES,
                                            Rule("X9", "终", "end", "seed 000", AFTER_STEP, "red", "test",
                                                 after_step=end)))
    return per_step


def test_the_runtime_s_after_step_hooks_come_from_the_registry_and_cost_nothing_where_no_rule_applies(
        demo_db, monkeypatch):
    per_step = _counting(monkeypatch, demo_db.engine)
    rt = build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))
    case_id = reviewing(rt)  # 受理 (it may open 补正: P7 looks, one statement), then 承办审查
    work(rt, case_id, "shenhe", REVIEW, bj(11, 24, 14))
    with time_machine.travel(bj(11, 25, 10), tick=False):
        approve = step(rt, case_id)
        attach_evidence(rt, user(rt, "pizhun"), case_id, approve.id)
        complete_task(rt, approve.id, {**APPROVE}, user(rt, "pizhun"))  # a decision with its legal basis
    assert [len(statements) for statements in per_step] == [1, 0, 0, 0]
    with rt.reader() as s:
        assert s.execute(select(Alert).where(Alert.case_id == case_id)).all() == []
