"""Rule P5: a penalty whose execution record (送达's 已缴纳罚款金额) differs from the fine decided raises a red alert
with both amounts; an equal amount, or a delivery that records no payment, raises none."""

from __future__ import annotations

from typing import Any

import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.demo import load_demo
from engine.platform import build_runtime
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Case, User
from tests.engine.conftest import MONDAY_10_BJ, open_steps
from tests.engine.documents.helpers import issue_as
from tests.engine.rules.flows import alerts_of
from tests.engine.rules.test_p4_discretion import _decide, _walk_to_decision
from tests.settings import make_settings

DELIVERED = {"delivery_method": "direct", "delivered_date": "2026-11-23", "recipient": "王某", "receipt_no": "送001",
             "remedy_informed": "true", "opinion": "当场送达"}


def _delivered(rt: Runtime, users: dict[str, User], case_id: int, fine: str, paid: Any) -> str:
    """Decide ``fine`` on the case, then deliver recording ``paid`` (None: left empty); the 送达 task id."""
    complete_task(rt, _walk_to_decision(rt, case_id, users), _decide(fine), users["pizhun"])
    [deliver] = open_steps(rt, case_id)
    for kind in ("penalty_decision", "delivery_receipt"):
        issue_as(rt, "zhifa", case_id, kind, task_id=deliver.id)
    values = {**DELIVERED, **({"paid_amount": paid} if paid is not None else {})}
    complete_task(rt, deliver.id, values, users["zhifa"])
    return deliver.id


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_fine_paid_other_than_decided_raises_one_red_alert_and_equal_or_unrecorded_none(db):
    rt = build_runtime(db.sessions, make_settings(database_url=db.url))
    load_demo(rt)
    with rt.reader() as s:
        users = {u.username: u for u in s.execute(select(User)).scalars()}
        case = s.execute(select(Case).where(Case.subject == "涉嫌经营超过保质期的食品案")).scalar_one()
        code = case.power.code
    deliver = _delivered(rt, users, case.id, "60000", "50000")
    [alert] = alerts_of(rt, case.id)
    assert (alert.rule, alert.level, alert.subject, alert.step_name) == ("P5", "red", deliver, "送达")
    assert alert.details == {"paid": 50000, "decided": 60000, "decision_step": "作出决定", "by": "zhifa"}
    assert alert.message == "「送达」记录的执行金额 50,000 元与决定的罚款金额 60,000 元不一致（红灯报警）"
    assert describe(alert, "en", "-") == ("\"送达\" records 50,000 yuan executed where the decision fined 60,000 yuan "
                                          "(red alert)")

    party = Applicant("示范市惠民超市有限公司", "统一社会信用代码", "91519900MA62G7H8JK", "0837-2887766")
    for paid in ("60000", None):
        other = start_case(rt, code, party, f"另一宗 {paid}", actor="zhifa")
        _delivered(rt, users, other.id, "60000", paid)
        assert alerts_of(rt, other.id) == [], paid

