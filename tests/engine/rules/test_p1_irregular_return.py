"""Rule P1: a return outside the flowchart's arrows raises a red alert with its evidence, as does a case returned more
than ``max_returns`` times; returns along the arrows, up to the limit, raise none."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.platform import build_runtime
from engine.runtime.operations.returns import return_to
from engine.runtime.runtime import Runtime
from engine.store import Alert
from tests.engine.rules.walks import reviewing
from tests.engine.runtime.operations.conftest import HANDLE, bj, step, user, work
from tests.settings import make_settings


def _alerts(rt: Runtime, case_id: int) -> list[Alert]:
    with rt.reader() as s:
        return list(s.execute(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)).scalars())


def _return(rt: Runtime, case_id: int, target: str, reason: str, at=None) -> str:
    with time_machine.travel(at or bj(11, 24, 14), tick=False):
        return return_to(rt, step(rt, case_id).id, user(rt, "shenhe"), target, reason)


def test_a_return_outside_the_arrows_raises_a_red_alert_with_from_to_and_reason(demo_rt):
    case_id = reviewing(demo_rt)
    review = step(demo_rt, case_id).id
    reopened = _return(demo_rt, case_id, "accept", "申请人身份证明有误，须重新受理核对")
    assert step(demo_rt, case_id).bpmn_id == "accept"  # alerted, not refused
    [alert] = _alerts(demo_rt, case_id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name, alert.due_at) == (
        "P1", "red", "return:1", "审核", None)
    assert alert.details == {"from": "审核", "to": "受理", "reason": "申请人身份证明有误，须重新受理核对",
                             "by": "shenhe", "from_task": review, "to_task": reopened, "count": 1}
    assert alert.message == ("「审核」退回至「受理」，不在流程图规定的路径内，"
                             "理由：申请人身份证明有误，须重新受理核对（红灯报警）")
    assert describe(alert, "en", "-") == ("Returned from \"审核\" to \"受理\", a return the flowchart does not allow; "
                                          "reason: 申请人身份证明有误，须重新受理核对 (red alert)")


def test_a_return_along_an_arrow_raises_nothing(demo_rt):
    case_id = reviewing(demo_rt)
    _return(demo_rt, case_id, "handle", "")
    assert step(demo_rt, case_id).bpmn_id == "handle"
    assert _alerts(demo_rt, case_id) == []


def _returned(rt: Runtime, case_id: int, times: int) -> None:
    """Return the case from 审核 to 承办审查 (a modelled arrow) ``times`` times, 承办 handing it back each time."""
    for n in range(times):
        _return(rt, case_id, "handle", "", at=bj(11, 24, 14, n))
        work(rt, case_id, "chengban", HANDLE, bj(11, 24, 15, n))


def test_a_case_returned_more_than_three_times_raises_one_red_alert(demo_rt):
    case_id = reviewing(demo_rt)
    _returned(demo_rt, case_id, 3)
    assert _alerts(demo_rt, case_id) == []  # three is the default limit, allowed
    _returned(demo_rt, case_id, 2)
    [alert] = _alerts(demo_rt, case_id)  # once: the fifth return adds none
    assert (alert.rule, alert.subject, alert.level, alert.details) == ("P1", "returns", "red", {"count": 4, "limit": 3})
    assert alert.message == "办件已被退回 4 次，超过 3 次（红灯报警）"
    assert describe(alert, "en", "-") == "The case has been returned 4 times, more than 3 (red alert)"


def test_the_limit_is_a_setting(demo_db):
    rt = build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url, max_returns=1))
    case_id = reviewing(rt)
    _returned(rt, case_id, 1)
    assert _alerts(rt, case_id) == []
    _returned(rt, case_id, 1)
    assert [(a.subject, a.details) for a in _alerts(rt, case_id)] == [("returns", {"count": 2, "limit": 1})]
