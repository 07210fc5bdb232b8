"""The catalog's policy (engine/catalog/access.py): whose requests a user edits and draws flowcharts for."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.catalog.access import catalog_scope, may_draft, may_edit, may_model
from engine.store import Department, User


@pytest.fixture
def people(demo_db):
    """The demo's users (roles and posts loaded) and department ids, read in one session."""
    with demo_db.sessions() as s:
        users = {u.username: u for u in s.execute(
            select(User).options(selectinload(User.roles), selectinload(User.memberships))).scalars()}
        depts = {d.code: d.id for d in s.execute(select(Department)).scalars()}
        yield s, users, depts


def test_a_department_drafter_works_on_their_own_department_only(people):
    s, users, depts = people
    mulu = users["mulu"]  # 目录管理 of 市场监管局
    assert catalog_scope(s, mulu) == [depts["SCJGJ"]]
    assert may_draft(mulu)
    assert may_edit(s, mulu, depts["SCJGJ"]) and may_model(s, mulu, depts["SCJGJ"])
    assert not may_edit(s, mulu, depts["MZJ"]) and not may_model(s, mulu, depts["MZJ"])


def test_the_legal_office_and_administrators_act_for_every_department(people):
    s, users, depts = people
    for name in ("fazhiban", "admin"):
        assert catalog_scope(s, users[name]) is None
        assert all(may_edit(s, users[name], d) and may_model(s, users[name], d) for d in depts.values())


def test_a_supervisor_sees_every_department_but_edits_and_draws_nothing(people):
    s, users, depts = people
    jiancha = users["jiancha"]
    assert catalog_scope(s, jiancha) is None
    assert not may_draft(jiancha)
    assert not any(may_edit(s, jiancha, d) or may_model(s, jiancha, d) for d in depts.values())


def test_staff_who_only_work_cases_neither_edit_nor_draw(people):
    s, users, depts = people
    shouli = users["shouli"]  # 受理 of 市场监管局: the catalog is readable, not theirs to change
    assert catalog_scope(s, shouli) == [depts["SCJGJ"]]
    assert not may_draft(shouli)
    assert not may_edit(s, shouli, depts["SCJGJ"]) and not may_model(s, shouli, depts["SCJGJ"])
