"""Rules D2 and D1 as alerts, run by the nightly sweep: a catalog change applied for or published past its 20 / 15
working-day limit, and a published power lacking a required public field, raise one red alert each on the change's
review case; a change in time and a complete power raise none."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.catalog.drafts import Trigger
from engine.rules import nightly
from engine.runtime.cases import complete_task
from engine.store import CatalogChange, PowerVersion, User
from tests.engine.catalog.conftest import Chain, draft_licence
from tests.engine.conftest import open_steps
from tests.engine.rules.flows import alerts_of
from tests.engine.runtime.operations.conftest import bj

LAW = Trigger("law", "《食品经营许可和备案管理办法》", date(2026, 11, 2))  # 20 working days: to 30 November


def _review_case(chain: Chain, change_id: int) -> int:
    with chain.rt.reader() as s:
        case_id = s.get_one(CatalogChange, change_id).review_case_id
        assert case_id is not None
        return case_id


def _work(chain: Chain, case_id: int, at: datetime, who: User, values: dict[str, str]) -> None:
    with time_machine.travel(at, tick=False):
        [row] = open_steps(chain.rt, case_id)
        complete_task(chain.rt, row.id, values, who)


def _through_approval(chain: Chain, case_id: int, submitted: datetime, approved: datetime) -> None:
    _work(chain, case_id, submitted, chain.drafter, {"checked": "true", "opinion": "请审核"})
    _work(chain, case_id, submitted, chain.legal, {"legal_result": "pass", "opinion": "合法"})
    _work(chain, case_id, approved, chain.government, {"approve_result": "approve", "opinion": "同意"})


def _publish(chain: Chain, case_id: int, at: datetime) -> None:
    _work(chain, case_id, at, chain.drafter, {"confirmed": "true", "opinion": "已公布"})


def test_a_change_not_applied_for_within_20_working_days_of_its_law_is_alerted_once(chain):
    with time_machine.travel(bj(11, 23, 10), tick=False):
        change = draft_licence(chain, LAW, name="食品经营许可（新办）", reason="新法施行")
    case_id = _review_case(chain, change.id)
    assert nightly.sweep(chain.rt, bj(11, 30, 20))["D2"] == 0  # the 20th working day is not over
    assert nightly.sweep(chain.rt, bj(12, 1, 1, 30))["D2"] == 1
    assert nightly.sweep(chain.rt, bj(12, 2, 1, 30))["D2"] == 0  # once per change and limit
    [alert] = alerts_of(chain.rt, case_id, "D2")
    assert (alert.subject, alert.level, alert.department_id) == ("apply", "red", chain.department.id)
    assert alert.details == {"change": change.id, "kind": "add", "name": "食品经营许可（新办）",
                             "stage": "提出调整申请", "stage_en": "applying for the adjustment", "days": 20,
                             "done": None}
    assert alert.message == ("权力清单调整「食品经营许可（新办）」提出调整申请超过 20 个工作日期限（2026-11-30 24:00）"
                             "（红灯报警）")
    assert describe(alert, "en", "2026-11-30 24:00") == (
        "The catalog change \"食品经营许可（新办）\": applying for the adjustment past its 20 working-day limit "
        "(2026-11-30 24:00) (red alert)")


def test_publication_later_than_15_working_days_after_approval_is_alerted_and_one_in_time_is_not(chain):
    with time_machine.travel(bj(11, 23, 10), tick=False):
        late = draft_licence(chain, LAW, name="食品经营许可（新办）", reason="新法施行")
        prompt = draft_licence(chain, LAW, name="食品经营许可（延续）", reason="新法施行")
    late_case, prompt_case = _review_case(chain, late.id), _review_case(chain, prompt.id)
    for case_id in (late_case, prompt_case):
        _through_approval(chain, case_id, bj(11, 24, 10), bj(11, 25, 10))  # 15 working days: to 16 December
    _publish(chain, prompt_case, bj(12, 16, 17))
    _publish(chain, late_case, bj(12, 17, 9))
    assert nightly.sweep(chain.rt, bj(12, 18, 1, 30))["D2"] == 1
    [alert] = alerts_of(chain.rt, late_case, "D2")
    assert alert.subject == "publish" and alert.details["done"].startswith("2026-12-17T01:00")
    assert alerts_of(chain.rt, prompt_case, "D2") == []


def test_d1_a_published_power_lacking_a_public_field_is_alerted_on_its_review_case_once(chain):
    with time_machine.travel(bj(11, 23, 10), tick=False):
        change = draft_licence(chain, LAW, name="食品经营许可（新办）", reason="新法施行")
    case_id = _review_case(chain, change.id)
    _through_approval(chain, case_id, bj(11, 24, 10), bj(11, 25, 10))
    _publish(chain, case_id, bj(11, 26, 10))
    assert nightly.sweep(chain.rt, bj(11, 27, 1, 30))["D1"] == 0  # complete as published
    with chain.rt.sessions.begin() as s:  # a later version (an import, say) leaves the phone out
        newest = s.execute(select(PowerVersion).where(PowerVersion.power_id == change.power_id)).scalars().one()
        fields = {k: v for k, v in newest.fields.items() if k != "phone"}
        s.add(PowerVersion(power_id=change.power_id, number=newest.number + 1, fields=fields, status="published",
                           internal_bpmn=newest.internal_bpmn, external_bpmn=newest.external_bpmn,
                           published_at=bj(11, 27, 10), published_by="import"))
    assert nightly.sweep(chain.rt, bj(11, 28, 1, 30))["D1"] == 1
    assert nightly.sweep(chain.rt, bj(11, 29, 1, 30))["D1"] == 0
    [alert] = alerts_of(chain.rt, case_id, "D1")
    assert alert.subject == f"power:{change.power_id}" and alert.details["missing"] == ["phone"]
    assert alert.message.startswith("已公布的权力事项「食品经营许可（新办）」") and "缺少应公开的要素" in alert.message
