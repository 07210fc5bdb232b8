"""Supervision by level: a supervisor watches their region and the regions below, or one department's office."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.access import may_see_case, visible_cases
from engine.identity import create_user, ensure_department, ensure_region
from engine.store import AuditEvent, Case, Department, Membership, Region, User
from engine.supervision.scope import ScopeProblem, assign, log_case_view, regions_below, scope_of


def user(rt, username: str) -> User:
    """The user with their roles and posts loaded, as a signed-in request has them."""
    with rt.reader() as s:
        return s.execute(select(User).where(User.username == username).options(
            selectinload(User.roles), selectinload(User.memberships).selectinload(Membership.post))).scalar_one()


def _dept(rt, code: str) -> int:
    with rt.reader() as s:
        return s.execute(select(Department.id).where(Department.code == code)).scalar_one()


def _region(rt, code: str) -> int:
    with rt.reader() as s:
        return s.execute(select(Region.id).where(Region.code == code)).scalar_one()


def _seen(rt, username: str) -> set[int]:
    with rt.reader() as s:
        return set(s.execute(select(Case.id).where(visible_cases(user(rt, username)))).scalars())


def _cases_of(rt, department_ids) -> set[int]:
    with rt.reader() as s:
        query = select(Case.id)
        if department_ids is not None:
            query = query.where(Case.department_id.in_(sorted(department_ids)))
        return set(s.execute(query).scalars())


def test_the_city_supervisor_watches_the_city_and_the_county_below_it(rt):
    with rt.reader() as s:
        city = scope_of(s, user(rt, "jiancha"))
        county = scope_of(s, user(rt, "xian_jiancha"))
    assert city.name == "示范市" and county.name == "示范县"
    assert {_dept(rt, "SCJGJ"), _dept(rt, "MZJ"), _dept(rt, "XMZJ")} <= city.department_ids
    assert county.department_ids == {_dept(rt, "XMZJ")}
    assert county.region_ids == {_region(rt, "519921")} and _region(rt, "519900") in city.region_ids


def test_a_county_supervisor_sees_only_the_county_s_cases(rt):
    county_cases = _cases_of(rt, {_dept(rt, "XMZJ")})
    assert county_cases  # the demo's county case
    assert _seen(rt, "xian_jiancha") == county_cases
    everything = _cases_of(rt, None)
    assert _seen(rt, "jiancha") == _cases_of(rt, scope_of_user(rt, "jiancha").department_ids)
    assert county_cases < _seen(rt, "jiancha") <= everything
    city_case = min(everything - county_cases)
    with rt.reader() as s:
        assert not may_see_case(s, user(rt, "xian_jiancha"), city_case)
        assert may_see_case(s, user(rt, "jiancha"), city_case)


def scope_of_user(rt, username: str):
    with rt.reader() as s:
        return scope_of(s, user(rt, username))


def test_a_department_supervision_office_sees_its_own_department_alone(rt):
    office = scope_of_user(rt, "scjg_jiancha")
    assert office.department_ids == {_dept(rt, "SCJGJ")} and office.name == "示范市市场监督管理局"
    assert _seen(rt, "scjg_jiancha") == _cases_of(rt, {_dept(rt, "SCJGJ")})


def test_administrators_and_unplaced_supervisors_see_the_whole_platform(rt):
    with rt.sessions.begin() as s:
        create_user(s, "sheng_jiancha", "省监察", "pw-sheng-1", roles=["supervisor"])
    assert scope_of_user(rt, "sheng_jiancha").whole and scope_of_user(rt, "admin").whole
    assert _seen(rt, "sheng_jiancha") == _seen(rt, "admin") == _cases_of(rt, None)
    # Staff keep their own rule: the county's window clerk sees the county's case, not the city's.
    assert _seen(rt, "xian_shouli") == _cases_of(rt, {_dept(rt, "XMZJ")})


def test_a_region_added_below_the_county_joins_its_supervisor_s_scope(rt):
    before = scope_of_user(rt, "xian_jiancha")  # the tree is cached now
    with rt.sessions.begin() as s:
        town = ensure_region(s, "519921101", "城关镇")
        town.parent_id = _region(rt, "519921")
        s.flush()
        ensure_department(s, town, "CGZ", "城关镇人民政府", ["受理"])
    after = scope_of_user(rt, "xian_jiancha")
    assert after.department_ids == before.department_ids | {_dept(rt, "CGZ")}
    with rt.reader() as s:
        assert regions_below(s, _region(rt, "519900")) >= {_region(rt, "519921"), _region(rt, "519921101")}


def test_placing_a_supervisor_is_audited_and_only_supervisors_are_placed(rt):
    with rt.sessions.begin() as s:
        assign(s, user(rt, "xian_jiancha").id, department_id=_dept(rt, "XMZJ"), actor="admin")
    assert scope_of_user(rt, "xian_jiancha").department_ids == {_dept(rt, "XMZJ")}
    with rt.reader() as s:
        [event] = s.execute(select(AuditEvent).where(AuditEvent.action == "supervision.scope_assigned",
                                                     AuditEvent.payload["user"].as_string() == "xian_jiancha")
                            .order_by(AuditEvent.id.desc()).limit(1)).scalars().all()
    assert event.actor == "admin" and event.payload["department_id"] == _dept(rt, "XMZJ")
    with pytest.raises(ScopeProblem), rt.sessions.begin() as s:
        assign(s, user(rt, "shouli").id, region_id=_region(rt, "519900"), actor="admin")
    with pytest.raises(ScopeProblem), rt.sessions.begin() as s:
        assign(s, user(rt, "jiancha").id, region_id=_region(rt, "519900"), department_id=_dept(rt, "MZJ"),
               actor="admin")


def test_a_supervisor_s_view_of_a_case_is_logged_in_the_case_s_stream_and_staff_s_is_not(rt):
    with rt.reader() as s:
        case_id = s.execute(select(Case.id).order_by(Case.id).limit(1)).scalar_one()
    with rt.sessions.begin() as s:
        assert log_case_view(s, user(rt, "jiancha"), case_id)
        assert not log_case_view(s, user(rt, "shouli"), case_id)
    with rt.reader() as s:
        viewed = list(s.execute(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                         AuditEvent.action == "case.viewed")).scalars())
    assert [(e.actor, e.payload["what"]) for e in viewed] == [("jiancha", "case")]


def test_a_user_s_roles_decide_the_scope_not_their_name(rt):
    with rt.reader() as s:
        staff = s.execute(select(User).where(User.username == "shouli")).scalar_one()
        assert scope_of(s, staff).department_ids == frozenset()
