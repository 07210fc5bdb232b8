"""Who may open a case is the engine's rule: the power's department's 受理 post registers applications at the
window; a penalty is never an application and is opened by its 立案 post."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from engine.access import APPLICATION, PENALTY, RegistrationRefused, intake_of, registrable_powers
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.cases import register_case
from engine.runtime.deploy import deploy
from engine.store import Case, Post, Power, User
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, Org, open_steps


@pytest.fixture
def penalty(rt, org: Org) -> Power:
    """A penalty of the same department, on the test flowchart; its enforcement officer holds 立案."""
    with rt.sessions.begin() as s:
        region = ensure_region(s, "510000", "测试市")
        dept = ensure_department(s, region, org.department.code, org.department.name, ["受理", "审核", "立案"])
        deploy(s, (HERE / "fixtures" / "permit.bpmn").read_bytes(), "permit.bpmn", author="legal", forms=rt.forms,
               posts={"受理", "审核"})
        filing = next(p for p in dept.posts if p.name == "立案")
        create_user(s, "officer", "执法员", "pw", roles=["staff"], posts=[filing])
        p = Power(code="510000-CSJ-CF-001", name="测试处罚", category="penalty", department_id=dept.id,
                  process_key="test_permit", legal_limit_days=20, promised_limit_days=0)
        s.add(p)
        return p


def _user(rt, username: str) -> User:  # type: ignore[no-untyped-def]
    with rt.reader() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        s.expunge(user)
        return user


def _cases(rt) -> int:  # type: ignore[no-untyped-def]
    with rt.reader() as s:
        return s.execute(select(func.count()).select_from(Case)).scalar_one()


def test_penalties_begin_by_filing_and_everything_else_at_the_window():
    assert intake_of("penalty") == PENALTY and PENALTY.post == "立案"
    assert all(intake_of(c) == APPLICATION for c in ("license", "confirmation", "benefit", "other"))


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_only_the_window_post_registers_an_application(rt, org, power, penalty):
    with rt.reader() as s:
        offered = {u: [p.code for p in s.execute(registrable_powers(getattr(org, u).id, APPLICATION)).scalars()]
                   for u in ("clerk", "reviewer", "outsider")}
    assert offered == {"clerk": [power.code], "reviewer": [], "outsider": []}  # never the penalty

    for user in (org.reviewer, org.outsider):  # a member of the department, and someone of none
        with pytest.raises(RegistrationRefused) as refused:
            register_case(rt, user, power.code, APPLICANT, "申请", intake=APPLICATION)
        assert refused.value.message("zh") == "您不在「测试许可」所属部门的「受理」岗位上，不能为其受理登记。"
        assert "do not hold the 受理 post" in refused.value.message("en")
    assert _cases(rt) == 0

    case = register_case(rt, org.clerk, power.code, APPLICANT, "申请", intake=APPLICATION)
    assert case.created_by == "clerk" and [t.name for t in open_steps(rt, case.id)] == ["受理申请"]


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_penalty_is_not_taken_at_the_window_but_opened_by_the_filing_post(rt, org, power, penalty):
    with pytest.raises(RegistrationRefused) as refused:
        register_case(rt, org.clerk, penalty.code, APPLICANT, "涉嫌违法", intake=APPLICATION)
    assert refused.value.message("zh") == ("「测试处罚」是行政处罚，不在窗口受理："
                                           "由本部门「立案」岗位的执法人员立案登记。")
    officer = _user(rt, "officer")
    with pytest.raises(RegistrationRefused) as refused:  # nor does 立案 register applications
        register_case(rt, officer, power.code, APPLICANT, "申请", intake=PENALTY)
    assert refused.value.code == "register.not_application"
    with pytest.raises(RegistrationRefused):  # the window cannot use the filing entry either
        register_case(rt, org.clerk, penalty.code, APPLICANT, "涉嫌违法", intake=PENALTY)
    assert _cases(rt) == 0

    with rt.reader() as s:
        assert [p.code for p in s.execute(registrable_powers(officer.id, PENALTY)).scalars()] == [penalty.code]
    case = register_case(rt, officer, penalty.code, APPLICANT, "涉嫌违法", intake=PENALTY)
    assert case.created_by == "officer" and case.subject == "涉嫌违法"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_the_post_must_be_in_the_powers_own_department(rt, org, power):
    with rt.sessions.begin() as s:
        other = ensure_department(s, ensure_region(s, "510000", "测试市"), "QTJ", "其他局", ["受理"])
        window = s.execute(select(Post).where(Post.department_id == other.id)).scalar_one()
        create_user(s, "elsewhere", "他局窗口", "pw", roles=["staff"], posts=[window])
    with pytest.raises(RegistrationRefused):
        register_case(rt, _user(rt, "elsewhere"), power.code, APPLICANT, "申请", intake=APPLICATION)
