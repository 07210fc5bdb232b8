"""Who sees an adjustment request: a secret power's only to its department, its reviewers while they take part,
its author, supervisors and administrators; an ordinary power's to every member of staff."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from engine.catalog import review
from engine.catalog.drafts import Trigger
from engine.catalog.review import request_change
from engine.catalog.views import changes, powers
from engine.catalog.visibility import may_see_change, may_see_power, visible_change_ids
from engine.identity import create_user, ensure_department
from engine.inbox import inbox
from engine.runtime.cases import complete_task
from engine.store import CatalogChange, Department, Post, User
from tests.engine.catalog.conftest import draft_licence

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
LAW = Trigger("law", "《测绘成果管理条例》", date(2026, 11, 16))


def _people(chain) -> dict[str, int]:
    """Besides the chain: another department's drafter, a second legal reviewer, a legal-role user without a
    post, a supervisor and an administrator."""
    with chain.rt.sessions.begin() as s:
        region = s.get(Department, chain.department.id).region
        other = ensure_department(s, region, "MZJ", "示范市民政局", ["受理", review.CATALOG_POST])
        legal_post = s.execute(select(Post).where(Post.name == review.LEGAL_POST)).scalar_one()
        made = {
            "mz_mulu": create_user(s, "mz_mulu", "民政目录", "pw", roles=["drafter"],
                                   posts=[p for p in other.posts if p.name == review.CATALOG_POST]),
            "fazhi2": create_user(s, "fazhi2", "法制办二", "pw", roles=["legal"], posts=[legal_post]),
            "legal_only": create_user(s, "legal_only", "无岗位法制", "pw", roles=["legal"]),
            "jiancha": create_user(s, "jiancha", "监察", "pw", roles=["supervisor"]),
            "admin": create_user(s, "admin", "管理员", "pw", roles=["admin"]),
        }
        ids = {name: user.id for name, user in made.items()}
    return ids | {"mulu": chain.drafter.id, "fazhi": chain.legal.id, "shending": chain.government.id,
                  "shouli": chain.clerk.id}


def _seers(chain, people: dict[str, int], change_id: int) -> set[str]:
    with chain.rt.sessions() as s:
        return {name for name, uid in people.items() if may_see_change(s, s.get(User, uid), change_id)}


def _secret_licence(chain) -> CatalogChange:
    return draft_licence(chain, LAW, name="涉密测绘成果提供使用审批", reason="涉密许可", secret=True)


def _work(chain, user, values) -> None:
    with chain.rt.sessions() as s:
        [row] = inbox(s, user.id)
    complete_task(chain.rt, row.task_id, values, user)


@time_machine.travel(NOW, tick=False)
def test_a_secret_request_reaches_its_reviewers_only_while_they_take_part(chain):
    people = _people(chain)
    change = _secret_licence(chain)
    always = {"mulu", "shouli", "jiancha", "admin"}  # the drafting department, supervisors, administrators
    assert _seers(chain, people, change.id) == always

    _work(chain, chain.drafter, {"checked": "true", "opinion": "请审核"})
    # 合法性审查 waits in the post's inbox: everyone holding the post sees the request, the government not yet.
    assert _seers(chain, people, change.id) == always | {"fazhi", "fazhi2"}

    _work(chain, chain.legal, {"legal_result": "pass", "opinion": "合法"})
    # Now 审定 waits; the legal reviewer who decided keeps seeing it, their colleague no longer does.
    assert _seers(chain, people, change.id) == always | {"fazhi", "shending"}

    _work(chain, chain.government, {"approve_result": "approve", "opinion": "同意"})
    _work(chain, chain.drafter, {"confirmed": "true", "opinion": "已公布"})
    assert _seers(chain, people, change.id) == always | {"fazhi", "shending"}
    with chain.rt.sessions() as s:
        assert s.get(CatalogChange, change.id).status == "published"


@time_machine.travel(NOW, tick=False)
def test_an_ordinary_request_is_seen_by_all_staff(chain):
    people = _people(chain)
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=LAW, category="license", name="食品经营许可（新办）")
    assert _seers(chain, people, change.id) == set(people)
    with chain.rt.sessions() as s:
        assert not may_see_change(s, s.get(User, people["admin"]), 999_999)


@time_machine.travel(NOW, tick=False)
def test_the_author_of_a_secret_request_sees_it(chain):
    people = _people(chain)
    # The legal office may draft for any department; it must not lose sight of what it opened.
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="legal_only",
                            reason="涉密", trigger=LAW, category="license", name="涉密事项", secret=True)
    assert "legal_only" in _seers(chain, people, change.id)
    assert "fazhi2" not in _seers(chain, people, change.id)


@time_machine.travel(NOW, tick=False)
def test_lists_leave_out_secret_requests_and_powers_the_user_may_not_see(chain):
    people = _people(chain)
    secret = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="涉密",
                            trigger=LAW, category="license", name="涉密事项", secret=True)
    ordinary = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新设",
                              trigger=LAW, category="license", name="普通事项")
    with chain.rt.sessions() as s:
        for name, expected in (("fazhi", {ordinary.id}), ("legal_only", {ordinary.id}), ("mz_mulu", {ordinary.id}),
                               ("shouli", {ordinary.id, secret.id}), ("admin", {ordinary.id, secret.id})):
            user = s.get(User, people[name])
            assert {c.id for c, _, _ in changes(s, user, None)} == expected, name
            assert {p.id for p, _ in powers(s, user, None)} == {c.power_id for c in (ordinary, secret)
                                                                   if c.id in expected}, name
            assert may_see_power(s, user, secret.power_id) == (secret.id in expected), name
            assert visible_change_ids(s, user, [secret.id, ordinary.id]) == expected, name
        # A department's own list stays its own, secret or not.
        mulu = s.get(User, people["mulu"])
        assert {c.id for c, _, _ in changes(s, mulu, [chain.department.id])} == {ordinary.id, secret.id}
