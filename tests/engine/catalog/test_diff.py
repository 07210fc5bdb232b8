"""Diffs between versions: fields and flowchart elements."""

from __future__ import annotations

from engine.catalog.diff import diff_fields, diff_flowcharts
from tests.engine.catalog.conftest import LICENSE_BPMN


def test_field_diff_lists_changed_fields_with_labels():
    changes = diff_fields({"name": "甲", "promised_limit_days": 10, "phone": "1"},
                          {"name": "甲", "promised_limit_days": 9, "phone": "1", "faq": [{"q": "q", "a": "a"}]})
    assert [(c.key, c.label, c.before, c.after) for c in changes] == [
        ("promised_limit_days", "承诺时限（工作日）", 10, 9), ("faq", "常见问题解答", None, [{"q": "q", "a": "a"}])]


def test_flowchart_diff_names_renamed_steps_changed_limits_and_new_elements():
    before = LICENSE_BPMN.decode()
    after = (before.replace('name="承办审查"', 'name="承办审查（含现场核查）"')
             .replace("workdays(3)", "workdays(2)"))
    changes = {c.element_id: c for c in diff_flowcharts(before, after)}
    assert changes["handle"].kind == "changed"
    assert any("承办审查（含现场核查）" in d for d in changes["handle"].details)
    assert any("time limit: workdays(3) → workdays(2)" in d for d in changes["handle"].details)
    assert diff_flowcharts(before, before) == []
    added = diff_flowcharts(None, before)
    assert added and all(c.kind == "added" for c in added)
