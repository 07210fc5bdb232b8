"""Rule P7: a 补正 step opening a second time in one case (一次性告知 broken) raises one red alert; one 补正 and then
acceptance raise none."""

from __future__ import annotations

from sqlalchemy import select

from engine.alerts import describe
from engine.rules.p7_second_supplement import requests
from engine.rules.step_kinds import StepKindsCache, is_supplement
from engine.runtime.runtime import Runtime
from engine.store import Alert, Case
from tests.engine.rules.walks import SUPPLEMENT_NEEDED, SUPPLIED
from tests.engine.runtime.operations.conftest import ACCEPT, bj, new_licence, step, work


def _alerts(rt: Runtime, case_id: int) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.case_id == case_id)).scalars())


def test_a_supplement_step_is_a_clock_stopping_step_named_or_marked_so():
    assert is_supplement("supplement", "接收补正材料", {"clock": "paused"})
    assert is_supplement("wait", "等待补正", {"clock": "paused"})
    assert is_supplement("any", "材料", {"supplement": "true"})
    assert not is_supplement("hearing", "组织听证", {"clock": "paused"})  # stops the clock, asks no materials
    assert not is_supplement("supplement", "接收补正材料", {})


def test_the_demo_flowcharts_supplement_steps_and_the_steps_leading_into_them(demo_rt):
    case = new_licence(demo_rt, bj(11, 23, 10))
    with demo_rt.reader() as s:
        kinds = StepKindsCache(demo_rt)(s, s.get_one(Case, case.id).process_version_id)
    assert (kinds.supplements, kinds.into_supplement, kinds.decisions) == (
        {"supplement"}, {"accept"}, {"approve"})


def test_a_second_supplement_request_raises_one_red_alert_as_it_is_made(demo_rt):
    case = new_licence(demo_rt, bj(11, 23, 10))
    work(demo_rt, case.id, "shouli", SUPPLEMENT_NEEDED, bj(11, 23, 11))
    assert step(demo_rt, case.id).bpmn_id == "supplement"
    work(demo_rt, case.id, "shouli", SUPPLIED, bj(11, 24, 10))
    assert _alerts(demo_rt, case.id) == []  # one request, answered: the rule holds
    work(demo_rt, case.id, "shouli", SUPPLEMENT_NEEDED, bj(11, 24, 11))
    second = step(demo_rt, case.id)
    assert second.bpmn_id == "supplement"  # alerted, not refused
    [alert] = _alerts(demo_rt, case.id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name, alert.due_at) == (
        "P7", "red", "supplement", "受理", None)
    assert alert.details == {"count": 2, "supplement": "接收补正材料", "by": "shouli"}
    assert alert.message == "同一办件已 2 次要求补正（「接收补正材料」），违反一次性告知规定（红灯报警）"
    assert describe(alert, "en", "-") == ("Supplementary materials were requested 2 times on one case "
                                          "(\"接收补正材料\"): the one-time notice rule is broken (red alert)")
    # Answered and requested a third time: still the one alert.
    work(demo_rt, case.id, "shouli", SUPPLIED, bj(11, 25, 10))
    work(demo_rt, case.id, "shouli", SUPPLEMENT_NEEDED, bj(11, 25, 11))
    assert [a.rule for a in _alerts(demo_rt, case.id)] == ["P7"]
    with demo_rt.reader() as s:
        assert len(requests(s, case.id, frozenset({"supplement"}))) == 3


def test_one_supplement_request_then_acceptance_raises_none(demo_rt):
    case = new_licence(demo_rt, bj(11, 23, 10))
    work(demo_rt, case.id, "shouli", SUPPLEMENT_NEEDED, bj(11, 23, 11))
    work(demo_rt, case.id, "shouli", SUPPLIED, bj(11, 24, 10))
    work(demo_rt, case.id, "shouli", ACCEPT, bj(11, 24, 11))
    assert step(demo_rt, case.id).bpmn_id == "handle"
    assert _alerts(demo_rt, case.id) == []
