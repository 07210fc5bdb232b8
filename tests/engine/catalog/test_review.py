"""A power's life in the catalog: drafted, reviewed by the platform's own BPMN process, published, adjusted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from engine.catalog.drafts import Trigger, attach_flowchart, update_fields
from engine.catalog.review import request_change
from engine.inbox import inbox
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.errors import RuntimeProblem
from engine.store import Case, CatalogChange, Power, PowerVersion, ProcessVersion
from tests.engine.catalog.conftest import LICENSE_BPMN, LICENSE_FIELDS

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
LAW = Trigger("law", "《食品经营许可和备案管理办法》（国家市场监督管理总局令第92号）", date(2026, 11, 16))


def _step(chain, user):
    with chain.rt.sessions() as s:
        rows = inbox(s, user.id)
    assert len(rows) == 1, rows
    return rows[0]


def _draft_license(chain) -> CatalogChange:
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu",
                            reason="新法施行，增加食品经营许可事项", trigger=LAW, category="license",
                            name="食品经营许可（新办）")
    with chain.rt.sessions.begin() as s:
        change = s.get(CatalogChange, change.id)
        assert update_fields(s, change, LICENSE_FIELDS, actor="mulu") == {}
        assert attach_flowchart(s, change, "internal", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms) == []
        attach_flowchart(s, change, "external", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms)
    return change


def _publish(chain, change_id: int) -> None:
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "请审核"},
                  chain.drafter)
    complete_task(chain.rt, _step(chain, chain.legal).task_id, {"legal_result": "pass", "opinion": "合法"},
                  chain.legal)
    complete_task(chain.rt, _step(chain, chain.government).task_id, {"approve_result": "approve", "opinion": "同意"},
                  chain.government)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"confirmed": "true", "opinion": "已公布"},
                  chain.drafter)


@time_machine.travel(NOW, tick=False)
def test_a_new_power_gets_its_code_and_a_review_case_counting_from_the_law(chain):
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=LAW, category="license", name="食品经营许可（新办）")
    with chain.rt.sessions() as s:
        power = s.get(Power, change.power_id)
        assert (power.code, power.status) == ("519900-SCJGJ-XK-0001", "draft")
    step = _step(chain, chain.drafter)
    assert step.step == "编制并提交调整申请"
    # 20 working days from Mon 16 Nov 2026 (the day of publication not counted) end at 24:00 on Mon 14 Dec.
    assert step.due_at == datetime(2026, 12, 14, 16, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_an_incomplete_request_cannot_be_submitted(chain):
    request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                   trigger=LAW, category="license", name="食品经营许可（新办）")
    with pytest.raises(RuntimeProblem) as err:
        complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "提交"},
                      chain.drafter)
    assert err.value.code == "catalog.not_ready"
    assert "法律依据" in err.value.message() and "内部流程图" in err.value.message()


@time_machine.travel(NOW, tick=False)
def test_review_return_then_approval_publishes_version_one_and_the_power_runs(chain):
    change = _draft_license(chain)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "请审核"},
                  chain.drafter)
    complete_task(chain.rt, _step(chain, chain.legal).task_id,
                  {"legal_result": "return", "opinion": "需补充", "reason": "常见问题不全"}, chain.legal)
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, change.id).status == "returned"
    _publish(chain, change.id)

    with chain.rt.sessions() as s:
        stored = s.get(CatalogChange, change.id)
        power = s.get(Power, stored.power_id)
        [version] = s.execute(select(PowerVersion).where(PowerVersion.power_id == power.id)).scalars().all()
        assert (stored.status, power.status, version.number) == ("published", "published", 1)
        assert version.fields["legal_basis"][0]["law"] == "《中华人民共和国食品安全法》"
        assert s.get(ProcessVersion, version.process_version_id).process_key == power.code
    case = start_case(chain.rt, power.code, Applicant("某餐饮公司", "统一社会信用代码", "91519900X", "0837-1"),
                      "申请", actor="shouli")
    assert _step(chain, chain.clerk).case_id == case.id


@time_machine.travel(NOW, tick=False)
def test_modify_keeps_running_cases_on_their_version_and_suspend_stops_new_ones(chain):
    change = _draft_license(chain)
    _publish(chain, change.id)
    with chain.rt.sessions() as s:
        power = s.get(Power, s.get(CatalogChange, change.id).power_id)
    applicant = Applicant("某餐饮公司", "统一社会信用代码", "91519900X", "0837-1")
    old_case = start_case(chain.rt, power.code, applicant, "申请一", actor="shouli")

    modify = request_change(chain.rt, "modify", department_id=chain.department.id, actor="mulu",
                            reason="承诺时限压缩", trigger=Trigger("other", "优化营商环境要求", None),
                            power_id=power.id)
    with chain.rt.sessions.begin() as s:
        draft = s.get(CatalogChange, modify.id)
        assert draft.fields["promised_limit_days"] == 10  # the draft starts from what is published
        assert update_fields(s, draft, {"promised_limit_days": 9}, actor="mulu") == {}
        tweaked = LICENSE_BPMN.replace(b'id="accept" name="', b'id="accept" name="\xe7\xaa\x97\xe5\x8f\xa3')
        assert attach_flowchart(s, draft, "internal", tweaked, actor="mulu", forms=chain.rt.forms) == []
    _publish(chain, modify.id)
    new_case = start_case(chain.rt, power.code, applicant, "申请二", actor="shouli")
    with chain.rt.sessions() as s:
        old, new = s.get(Case, old_case.id), s.get(Case, new_case.id)
        assert old.process_version_id != new.process_version_id
        assert s.get(Power, power.id).promised_limit_days == 9
        assert len(s.execute(select(PowerVersion).where(PowerVersion.power_id == power.id)).all()) == 2

    suspend = request_change(chain.rt, "suspend", department_id=chain.department.id, actor="mulu",
                             reason="长期未发生办件", trigger=Trigger("unused", "", None), power_id=power.id)
    _publish(chain, suspend.id)
    with pytest.raises(RuntimeProblem) as err:
        start_case(chain.rt, power.code, applicant, "申请三", actor="shouli")
    assert err.value.code == "power.not_found"
    resume = request_change(chain.rt, "resume", department_id=chain.department.id, actor="mulu",
                            reason="有执法案件产生", trigger=Trigger("other", "", None), power_id=power.id)
    _publish(chain, resume.id)
    start_case(chain.rt, power.code, applicant, "申请四", actor="shouli")


@time_machine.travel(NOW, tick=False)
def test_a_rejected_new_power_never_publishes(chain):
    change = _draft_license(chain)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "请审核"},
                  chain.drafter)
    complete_task(chain.rt, _step(chain, chain.legal).task_id,
                  {"legal_result": "reject", "opinion": "无法律依据", "reason": "上位法未设定该许可"}, chain.legal)
    with chain.rt.sessions() as s:
        stored = s.get(CatalogChange, change.id)
        assert (stored.status, s.get(Power, stored.power_id).status) == ("rejected", "rejected")
