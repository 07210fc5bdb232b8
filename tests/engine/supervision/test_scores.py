"""部门绩效考核: each department's score, its computation line by line, and the weights it remembers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from engine.identity import create_user
from engine.store import AuditEvent, User
from engine.store.reports import DepartmentScore
from engine.supervision.periods import MONTH, period_of
from engine.supervision.scores import (
    DEFAULT,
    ScoreInputs,
    Weights,
    WeightsProblem,
    WeightsVersion,
    compute,
    current_weights,
    may_set_weights,
    parse_weights,
    period_scores,
    save_weights,
)
from tests.engine.supervision.month_cases import fresh_rt, month_of_cases  # noqa: F401 - fixtures rt, month

NOVEMBER = period_of(MONTH, date(2026, 11, 1))
LATER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)


def _inputs(**values: int) -> ScoreInputs:
    base = {"received": 25, "completed": 20, "on_time": 18, "yellow": 2, "red": 1, "overdue_directives": 0}
    return ScoreInputs(department_id=1, department="市场监管局", **{**base, **values})


def test_a_score_shows_every_step_of_its_computation():
    score = compute(_inputs(), DEFAULT)
    assert score.total == 88.0
    assert list(score.lines) == [
        "时效得分 = 按时办结 18 ÷ 办结 20 × 100 = 90.00",
        "每百件黄灯 = 黄灯 2 ÷ 受理 25 × 100 = 8.00",
        "每百件红灯 = 红灯 1 ÷ 受理 25 × 100 = 4.00",
        "预警得分 = max(0, 100 − 8.00 × 1 − 4.00 × 3) = 80.00",
        "督办得分 = max(0, 100 − 逾期督办 0 × 10) = 100.00",
        "满意度评价：未接入（公众服务大厅尚未记录），权重 0",
        "投诉：未接入（公众服务大厅尚未记录），权重 0",
        "综合得分 = (90.00 × 50 + 80.00 × 35 + 100.00 × 15) ÷ (50 + 35 + 15) = 88.00",
    ]
    assert [c.connected for c in score.components] == [True, True, True, False, False]


def test_red_alerts_and_overdue_directives_cost_more_and_never_go_below_zero():
    yellow_only = compute(_inputs(yellow=5, red=0), DEFAULT).total
    red_only = compute(_inputs(yellow=0, red=5), DEFAULT).total
    assert red_only < yellow_only
    flooded = compute(_inputs(red=50, overdue_directives=20), DEFAULT)
    alerts, directives = flooded.components[1], flooded.components[2]
    assert alerts.value == 0 and directives.value == 0


def test_a_department_that_completed_nothing_is_scored_on_the_rest():
    score = compute(_inputs(completed=0, on_time=0, yellow=0, red=0), DEFAULT)
    assert score.components[0].value is None
    assert score.lines[0] == "本期无办结办件，时效不计分"
    assert score.lines[-1] == "综合得分 = (100.00 × 35 + 100.00 × 15) ÷ (35 + 15) = 100.00"


def test_weights_from_a_form_are_checked_field_by_field():
    with pytest.raises(WeightsProblem) as refused:
        parse_weights({"timeliness": "x", "alerts": "120", "ratings": "5"})
    assert refused.value.field_messages() == {"timeliness": "请填写 0 到 100 之间的数字。",
                                              "alerts": "请填写 0 到 100 之间的数字。",
                                              "ratings": "尚未接入，权重只能为 0。"}
    with pytest.raises(WeightsProblem) as refused:
        parse_weights({"timeliness": "0", "alerts": "0", "directives": "0"})
    assert refused.value.field_messages("en") == {"timeliness": "Timeliness, alerts and directives cannot all weigh 0."}
    assert parse_weights({"timeliness": "70", "red_factor": "5"}) == Weights(timeliness=70, red_factor=5)


def test_the_period_scores_come_from_the_database_figures_and_are_stored_once(rt, month):
    with rt.sessions.begin() as s:
        scores = period_scores(s, rt.calendar, MONTH, NOVEMBER, now=LATER)
        again = period_scores(s, rt.calendar, MONTH, NOVEMBER, now=LATER)
    assert [(x.department, x.total) for x in scores] == [("其他局", 100.0), ("测试局", 65.0)]
    tested = scores[1]
    # 3 received, 1 completed on time, 1 yellow and 2 red: alerts 100 − 33.33 − 66.67 × 3 → 0.
    assert (tested.inputs.received, tested.inputs.completed, tested.inputs.yellow, tested.inputs.red) == (3, 1, 1, 2)
    assert tested.lines[-1] == "综合得分 = (100.00 × 50 + 0.00 × 35 + 100.00 × 15) ÷ (50 + 35 + 15) = 65.00"
    assert [x.total for x in again] == [100.0, 65.0]
    with rt.reader() as s:
        assert s.execute(select(func.count()).select_from(DepartmentScore)).scalar() == 2


def test_new_weights_are_a_new_version_and_old_scores_keep_theirs(rt, month):
    with rt.sessions.begin() as s:
        chief = create_user(s, "chief", "监察科长", "pw-chief", roles=["supervisor"])
        old = period_scores(s, rt.calendar, MONTH, NOVEMBER, now=LATER)
        saved = save_weights(s, chief, Weights(timeliness=80, alerts=10, directives=10), note="重时效")
        assert (saved.version, current_weights(s).version) == (1, 1)
        new = period_scores(s, rt.calendar, MONTH, NOVEMBER, now=LATER)
        kept = period_scores(s, rt.calendar, MONTH, NOVEMBER, version=DEFAULT, now=LATER)
    assert {x.department: x.total for x in new}["测试局"] == 90.0  # (100×80 + 0×10 + 100×10) ÷ 100
    assert [x.total for x in kept] == [x.total for x in old]
    assert {x.weights.version for x in kept} == {0} and {x.weights.version for x in new} == {1}
    with rt.reader() as s:
        versions = sorted(s.execute(select(DepartmentScore.weights_version)).scalars())
        saved_events = s.execute(select(AuditEvent.payload).where(AuditEvent.action == "score.weights_saved")).all()
    assert versions == [0, 0, 1, 1]
    assert saved_events[0][0]["version"] == 1


def test_a_stored_score_remembers_the_weights_it_was_computed_with(rt, month):
    with rt.sessions.begin() as s:
        period_scores(s, rt.calendar, MONTH, NOVEMBER, now=LATER)
        # Whatever weights are passed under an already stored version, the stored weights are the ones shown.
        other = WeightsVersion(0, Weights(timeliness=1, alerts=1, directives=1))
        shown = period_scores(s, rt.calendar, MONTH, NOVEMBER, version=other, now=LATER)
    assert {x.weights.weights.timeliness for x in shown} == {50}


def test_a_period_not_over_is_scored_live_and_not_stored(rt, month):
    december = period_of(MONTH, date(2026, 12, 1))
    with rt.sessions.begin() as s:
        scores = period_scores(s, rt.calendar, MONTH, december, now=LATER)
    assert {x.final for x in scores} == {False}
    with rt.reader() as s:
        assert s.execute(select(func.count()).select_from(DepartmentScore)).scalar() == 0


def test_only_the_supervision_office_sets_the_weights(rt, month):
    with rt.sessions.begin() as s:
        clerk = s.execute(select(User).where(User.username == "clerk")).scalar_one()
        assert may_set_weights(s, clerk) is False
        with pytest.raises(WeightsProblem):
            save_weights(s, clerk, Weights())
