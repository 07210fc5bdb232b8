"""A power's life in the catalog: drafted, reviewed by the platform's own BPMN process, published, adjusted."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from engine.catalog.drafts import (
    OpenRequestExists,
    Trigger,
    attach_flowchart,
    open_change,
    open_request,
    trigger_date_problem,
    update_fields,
)
from engine.catalog.review import request_change
from engine.inbox import inbox
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.errors import RuntimeProblem
from engine.store import AuditEvent, Case, CatalogChange, Department, Power, PowerVersion, ProcessVersion
from tests.engine.catalog.conftest import LICENSE_BPMN, draft_licence

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
LAW = Trigger("law", "《食品经营许可和备案管理办法》（国家市场监督管理总局令第92号）", date(2026, 11, 16))


def _step(chain, user):
    with chain.rt.sessions() as s:
        rows = inbox(s, user.id)
    assert len(rows) == 1, rows
    return rows[0]


def _draft_license(chain) -> CatalogChange:
    return draft_licence(chain, LAW, name="食品经营许可（新办）", reason="新法施行，增加食品经营许可事项")


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


def _published_licence(chain) -> Power:
    change = _draft_license(chain)
    _publish(chain, change.id)
    with chain.rt.sessions() as s:
        return s.get(Power, s.get(CatalogChange, change.id).power_id)


def _request(chain, kind: str, power_id: int, trigger: Trigger = LAW) -> CatalogChange:
    return request_change(chain.rt, kind, department_id=chain.department.id, actor="mulu", reason=f"{kind} 测试",
                          trigger=trigger, power_id=power_id)


@time_machine.travel(NOW, tick=False)
def test_a_power_has_one_open_request_at_a_time(chain):
    power = _published_licence(chain)
    modify = _request(chain, "modify", power.id)
    for kind in ("modify", "cancel", "suspend", "resume"):
        with pytest.raises(OpenRequestExists) as err:
            _request(chain, kind, power.id)
        assert err.value.change_id == modify.id
        zh = err.value.message()
        assert f"#{modify.id}" in zh and "变更" in zh and "草稿" in zh
        assert f"#{modify.id}" in err.value.message("en") and "modify, draft" in err.value.message("en")

    # Submitted, returned, before the government: still open, still the only one.
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "请审核"},
                  chain.drafter)
    with pytest.raises(OpenRequestExists, match="submitted"):
        _request(chain, "suspend", power.id)
    complete_task(chain.rt, _step(chain, chain.legal).task_id,
                  {"legal_result": "return", "opinion": "需补充", "reason": "理由不充分"}, chain.legal)
    with pytest.raises(OpenRequestExists, match="returned"):
        _request(chain, "suspend", power.id)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, {"checked": "true", "opinion": "已补充"},
                  chain.drafter)
    complete_task(chain.rt, _step(chain, chain.legal).task_id,
                  {"legal_result": "reject", "opinion": "不予调整", "reason": "无必要"}, chain.legal)

    # Rejected: closed, so the next request may be opened, and only the refused ones left no trace.
    suspend = _request(chain, "suspend", power.id)
    with chain.rt.sessions() as s:
        kinds = [c.kind for c in s.execute(select(CatalogChange).where(CatalogChange.power_id == power.id)
                                           .order_by(CatalogChange.id)).scalars()]
        assert kinds == ["add", "modify", "suspend"]
        assert s.execute(select(Case).where(Case.subject.like("暂停：%"))).scalars().all() != []
    assert suspend.status == "draft"


@time_machine.travel(NOW, tick=False)
def test_opening_a_request_locks_the_power_row(chain, db):
    power = _published_licence(chain)
    with chain.rt.sessions() as s, s.begin():
        open_change(s, "suspend", department=s.get(Department, chain.department.id), actor="mulu",
                    reason="长期未使用", trigger=Trigger("unused", "", None), power=s.get(Power, power.id))
        # While that transaction is open, nobody else may check-and-insert a request for the power.
        if db.dialect == "postgresql":
            with db.engine.connect() as other:
                with pytest.raises(OperationalError, match="could not obtain lock"):
                    other.execute(text("SELECT id FROM powers WHERE id = :id FOR NO KEY UPDATE NOWAIT"),
                                  {"id": power.id})
                other.rollback()
                # …but cases of the power can still start: their foreign key takes only KEY SHARE.
                other.execute(text("SELECT id FROM powers WHERE id = :id FOR KEY SHARE NOWAIT"), {"id": power.id})
        else:
            other = sqlite3.connect(db.url.removeprefix("sqlite:///"), timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()


@time_machine.travel(NOW, tick=False)
def test_two_concurrent_requests_for_one_power_open_only_one(chain, db):
    if db.dialect != "postgresql":
        pytest.skip("SQLite writers queue at BEGIN IMMEDIATE; test_opening_a_request_locks_the_power_row covers it")
    power = _published_licence(chain)
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            outcome["change"] = _request(chain, "cancel", power.id)
        except Exception as exc:  # whatever it is, the assertion below shows it
            outcome["error"] = exc

    with chain.rt.sessions() as s, s.begin():
        first = open_change(s, "suspend", department=s.get(Department, chain.department.id), actor="mulu",
                            reason="长期未使用", trigger=Trigger("unused", "", None), power=s.get(Power, power.id))
        racer = threading.Thread(target=second)
        racer.start()
        # Commit only once the second request is waiting for the power row, so the two truly overlap.
        deadline = time.monotonic() + 30
        with db.engine.connect() as watch:
            while not watch.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                         " AND wait_event_type = 'Lock'")).scalar():
                assert time.monotonic() < deadline and racer.is_alive(), outcome
                watch.rollback()
    racer.join(30)
    assert isinstance(outcome.get("error"), OpenRequestExists), outcome
    assert outcome["error"].change_id == first.id
    with chain.rt.sessions() as s:
        open_kinds = [c.kind for c in s.execute(select(CatalogChange).where(
            CatalogChange.power_id == power.id, CatalogChange.status == "draft")).scalars()]
    assert open_kinds == ["suspend"]


@pytest.mark.parametrize(("published_on", "problem"), [
    (date(2026, 11, 24), "future"),  # tomorrow in Beijing
    (date(2099, 1, 1), "future"),
    (date(1949, 9, 30), "too_old"),
    (date(1, 1, 1), "too_old"),
])
@time_machine.travel(NOW, tick=False)
def test_a_trigger_date_in_the_future_or_before_1949_is_refused(chain, published_on, problem):
    with pytest.raises(RuntimeProblem) as err:
        request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                       trigger=Trigger("law", "某法", published_on), category="license", name="某许可")
    assert err.value.fields == {"trigger_published_on": problem}
    with chain.rt.sessions() as s:
        assert s.execute(select(CatalogChange)).first() is None


@time_machine.travel(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), tick=False)  # already 24 Nov 00:30 in Beijing
def test_today_is_the_beijing_date(chain):
    assert trigger_date_problem(date(2026, 11, 24)) is None
    assert trigger_date_problem(date(2026, 11, 25)) == "future"
    assert trigger_date_problem(date(1949, 10, 1)) is None
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=Trigger("law", "某法", date(2026, 11, 24)), category="license", name="某许可")
    assert change.trigger_published_on == date(2026, 11, 24)


# 撤回: the drafting department abandons a request while it is with them.

WITHDRAW = {"prepare_result": "withdraw", "reason": "上位法修订草案撤回，暂不调整"}


def _withdrawal_events(chain, case_id: int) -> list[dict]:
    with chain.rt.sessions() as s:
        return [e.payload for e in s.execute(select(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "catalog.status")).scalars()
            if e.payload.get("status") == "withdrawn"]


@time_machine.travel(NOW, tick=False)
def test_a_draft_can_be_withdrawn_and_frees_its_power(chain):
    # Incomplete (no fields, no flowchart): the readiness check is for submitting, not for giving up.
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=LAW, category="license", name="食品经营许可（新办）")
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, WITHDRAW, chain.drafter)
    with chain.rt.sessions() as s:
        stored = s.get(CatalogChange, change.id)
        case = s.get(Case, stored.review_case_id)
        power = s.get(Power, stored.power_id)
        assert (stored.status, stored.decided_at, stored.submitted_at) == ("withdrawn", NOW, None)
        assert (case.status, case.end_name) == ("completed", "申请已撤回")
        # The new power never published: not a live draft any more, and its code is not handed out again.
        assert power.status == "withdrawn"
        assert open_request(s, power.id) is None
        assert inbox(s, chain.drafter.id) == []
    [event] = _withdrawal_events(chain, stored.review_case_id)
    assert event == {"change": change.id, "status": "withdrawn", "opinion": None, "reason": WITHDRAW["reason"]}
    again = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                           trigger=LAW, category="license", name="食品经营许可（新办）")
    with chain.rt.sessions() as s:
        assert s.get(Power, again.power_id).code == "519900-SCJGJ-XK-0002"


@time_machine.travel(NOW, tick=False)
def test_withdrawing_a_change_of_a_published_power_allows_a_new_request(chain):
    power = _published_licence(chain)
    modify = _request(chain, "modify", power.id)
    with pytest.raises(OpenRequestExists):
        _request(chain, "suspend", power.id)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id, WITHDRAW, chain.drafter)
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, modify.id).status == "withdrawn"
        assert s.get(Power, power.id).status == "published"  # a published power stays as it is
    suspend = _request(chain, "suspend", power.id)
    assert suspend.status == "draft"


@time_machine.travel(NOW, tick=False)
def test_a_returned_request_can_be_withdrawn(chain):
    change = _draft_license(chain)
    complete_task(chain.rt, _step(chain, chain.drafter).task_id,
                  {"prepare_result": "submit", "checked": "true", "opinion": "请审核"}, chain.drafter)
    complete_task(chain.rt, _step(chain, chain.legal).task_id,
                  {"legal_result": "return", "opinion": "需补充", "reason": "常见问题不全"}, chain.legal)
    step = _step(chain, chain.drafter)
    assert step.step == "编制并提交调整申请"
    complete_task(chain.rt, step.task_id, WITHDRAW, chain.drafter)
    with chain.rt.sessions() as s:
        stored = s.get(CatalogChange, change.id)
        assert (stored.status, s.get(Power, stored.power_id).status) == ("withdrawn", "withdrawn")
        assert stored.submitted_at is not None  # it was submitted once; withdrawal keeps that fact
        assert s.get(Case, stored.review_case_id).end_name == "申请已撤回"
        assert inbox(s, chain.legal.id) == []
    assert len(_withdrawal_events(chain, stored.review_case_id)) == 1


@time_machine.travel(NOW, tick=False)
def test_submitting_still_needs_the_check_and_withdrawing_needs_a_reason(chain):
    change = _draft_license(chain)
    task_id = _step(chain, chain.drafter).task_id
    for values, field in (({"prepare_result": "submit", "opinion": "请审核"}, "checked"),
                          ({"prepare_result": "submit", "checked": "false", "opinion": "请审核"}, "checked"),
                          ({"prepare_result": "submit", "checked": "true"}, "opinion"),
                          ({"checked": "true"}, "opinion"),
                          ({"prepare_result": "withdraw"}, "reason"),
                          ({"prepare_result": "withdraw", "reason": "  ", "opinion": "不做了"}, "reason"),
                          ({"prepare_result": "later", "checked": "true", "opinion": "请审核"}, "prepare_result")):
        with pytest.raises(RuntimeProblem) as err:
            complete_task(chain.rt, task_id, values, chain.drafter)
        assert err.value.code == "form.invalid" and field in err.value.fields, (values, err.value.fields)
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, change.id).status == "draft"
    # Leaving the choice out submits, as clients did before withdrawal existed.
    complete_task(chain.rt, task_id, {"checked": "true", "opinion": "请审核"}, chain.drafter)
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, change.id).status == "submitted"
    assert _step(chain, chain.legal).step == "法制审核"


@time_machine.travel(NOW, tick=False)
def test_a_case_on_a_process_version_without_withdrawal_cannot_withdraw(chain):
    # Forms are shared by every version: a review case started before withdrawal existed must not be told
    # "withdrawn" while its process carries it on to 法制审核.
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=LAW, category="license", name="食品经营许可（新办）")
    with chain.rt.sessions.begin() as s:
        version = s.get(Case, s.get(CatalogChange, change.id).review_case_id).process_version
        assert 'id="end_withdrawn"' in version.bpmn_xml
        # What an old version's XML looks like to the check (the workflow itself is restored from its JSON).
        version.bpmn_xml = version.bpmn_xml.replace('id="end_withdrawn"', 'id="end_old"')
    with pytest.raises(RuntimeProblem) as err:
        complete_task(chain.rt, _step(chain, chain.drafter).task_id, WITHDRAW, chain.drafter)
    assert err.value.code == "catalog.not_ready" and "旧版流程" in err.value.message()
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, change.id).status == "draft"
