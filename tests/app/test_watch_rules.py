"""The rules in force, as the supervision page and ``sunshine supervisor --once`` list them, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from click.testing import CliRunner

from app.cli import CliState, main
from engine.rules.registry import RULES
from tests.app.conftest import sign_in
from tests.settings import make_settings


def _rows(page: str) -> list[tuple[str, ...]]:
    return [tuple(cells) for cells in (re.findall(r"<td>(.*?)</td>", row) for row in
                                       re.findall(r'<tr data-rule="[^"]+">(.*?)</tr>', page, re.S))]


def test_the_supervision_page_lists_every_rule_in_force_with_its_source_and_when_it_runs(app):
    boss = app.test_client()
    sign_in(boss, "jiancha")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "<h2 id=\"rules\">生效规则</h2>" in page
    rows = _rows(page)
    assert [r[0] for r in rows] == [rule.id for rule in RULES]
    assert ("P7", "同一办件第二次要求补正（违反一次性告知）→ 红灯报警", "seed 004 第十一条(二)", "环节办结后") in rows
    assert ("T1", "环节或办件临近办理时限（到期前一个工作日）→ 黄灯预警", "seed 004 第九条", "监察巡检（每次）") in rows
    boss.get("/lang/en")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "Rules in force" in page and "Runs" in page
    rows = _rows(page)
    assert ("P1", "A return outside the flowchart&#39;s arrows, or a case returned too often → red",
            "seed 003 第十条(二)4", "after a return") in rows
    assert ("D1", "A published power lacks required public fields", "seed 000 第十四条; seed 003 第十条(一)",
            "catalog check") in rows


def test_supervisor_once_prints_the_rules_in_force_before_the_tick(db):
    state = CliState(make_settings(database_url=db.url,
                                   audit_checkpoint_path=Path("/nonexistent-sunshine-test-dir/checkpoints.jsonl")))
    state["sessions"] = db.sessions
    with time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False):
        result = CliRunner().invoke(main, ["supervisor", "--once"], obj=state)
    lines = result.output.splitlines()
    assert lines[0] == "生效规则 / Rules in force:", result.output
    assert lines[1:1 + len(RULES)] == [f"  {rule.line('zh')}" for rule in RULES]
    assert "  P3  [环节办结后] 决定环节未填写法律依据 → 红灯报警 — 依据: seed 003 第十条(二)6" in lines
    assert "fired 0 case(s)" in result.output
