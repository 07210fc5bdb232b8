"""The inbox a page at a time: every step once and in order, only the user's, with counts that stop at the cap."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, func, insert, select

from engine.identity import create_user
from engine.inbox import (
    COUNT_CAP,
    SORTS,
    BadPageKey,
    Count,
    InboxFilter,
    InboxPage,
    PageKey,
    SortKey,
    decode_key,
    inbox,
    inbox_counts,
    inbox_page,
)
from engine.runtime.runtime import Runtime
from engine.store import Case, OpenTask, Post, Power, ProcessVersion, User
from tests.engine.conftest import MONDAY_10_BJ, Org

_serials = itertools.count(1)


def add_steps(session, power: Power, steps: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """Open steps as the engine's index sync writes them, each on a running case of its own.

    Each dict gives ``id``, ``post_id`` and optionally ``assignee_id``, ``due_at``, ``created_at``,
    ``returned_reason`` and ``case``: columns of its case to set (``serial``, ``applicant_name``…).
    """
    version = session.execute(select(ProcessVersion.id).where(ProcessVersion.process_key == power.process_key)
                              .order_by(ProcessVersion.id.desc())).scalars().first()
    first = (session.execute(select(func.max(Case.id))).scalar() or 0) + 1
    cases, tasks = [], []
    for case_id, step in enumerate(steps, start=first):
        created = step.get("created_at", MONDAY_10_BJ)
        cases.append({**dict(
            id=case_id, serial=f"CSJ-T-{next(_serials):06d}", power_id=power.id, process_version_id=version,
            department_id=power.department_id, subject=f"事由 {step['id']}", applicant_name="成都示例餐饮有限公司",
            applicant_id_type="统一社会信用代码", applicant_id_number="91510100MA6C00000M",
            applicant_contact="028-12345678", status="running", created_at=created, created_by="test",
            workflow_json="{}", version=1, limit_alert_level=0, clock_paused_at=None,
        ), **step.get("case", {})})
        tasks.append(dict(
            id=step["id"], case_id=case_id, bpmn_id="review", name=f"审核 {step['id']}", lane=None,
            post_id=step["post_id"], department_id=power.department_id, assignee_id=step.get("assignee_id"),
            form=None, created_at=created, due_at=step.get("due_at"), warn_at=None, alert_level=0,
            returned_reason=step.get("returned_reason"),
        ))
    session.execute(insert(Case), cases)
    session.execute(insert(OpenTask), tasks)


@dataclass
class World:
    """``user`` holds both posts of the test department; ``colleague`` holds 审核 too."""

    user: User
    colleague: User
    accept: int  # post ids
    review: int
    power: Power


@pytest.fixture
def world(rt: Runtime, org: Org, power: Power) -> World:
    with rt.sessions.begin() as s:
        posts = {p.name: p for p in s.execute(select(Post).where(Post.department_id == org.department.id)).scalars()}
        user = create_user(s, "both", "双岗人员", "pw-both", roles=["staff"], posts=[posts["受理"], posts["审核"]])
        colleague = create_user(s, "colleague", "同事", "pw-colleague", roles=["staff"], posts=[posts["审核"]])
        return World(user, colleague, posts["受理"].id, posts["审核"].id, power)


def _day(n: int):  # type: ignore[no-untyped-def]
    """A deadline at 24:00 Beijing time, ``n`` days after the test's Monday: many steps share one."""
    return MONDAY_10_BJ.replace(hour=16) + timedelta(days=n)


def _mixed(w: World, n: int = 23) -> list[dict]:
    """``n`` steps in the user's inbox, in both posts and assigned to them, tying on deadline and arrival."""
    steps = []
    for i in range(n):
        step = {"id": f"s{i:03d}", "post_id": [w.accept, w.review][i % 2],
                "created_at": MONDAY_10_BJ + timedelta(minutes=i % 3)}
        if i % 5 != 4:  # one in five has no deadline
            step["due_at"] = _day(i % 3)
        if i % 7 == 3:
            step["assignee_id"] = w.user.id
        steps.append(step)
    return steps


def _order(steps: list[dict]) -> list[str]:
    """The inbox order: deadline (none last), arrival, id."""
    def key(s: dict):  # type: ignore[no-untyped-def]
        return (s.get("due_at") is None, s.get("due_at") or MONDAY_10_BJ, s["created_at"], s["id"])
    return [s["id"] for s in sorted(steps, key=key)]


def _walk(rt: Runtime, user_id: int, f: InboxFilter | None = None, size: int = 5) -> list[InboxPage]:
    """Every page from the first, by the "next" keys."""
    f = f or InboxFilter()
    pages: list[InboxPage] = []
    with rt.reader() as s:
        page = inbox_page(s, user_id, f, size=size)
        while True:
            pages.append(page)
            assert (page.prev_key is None) == (len(pages) == 1)
            if page.next_key is None:
                return pages
            assert page.next_key == page.rows[-1].key or page.sort != "deadline"
            page = inbox_page(s, user_id, f, after=page.next_key, size=size)


def _ids(pages: list[InboxPage]) -> list[str]:
    return [r.task_id for p in pages for r in p.rows]


def test_pages_hold_every_step_once_in_order_forwards_and_back(rt, world):
    steps = _mixed(world)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    pages = _walk(rt, world.user.id)
    assert [len(p.rows) for p in pages] == [5, 5, 5, 5, 3]
    assert _ids(pages) == _order(steps)

    # Back from the last page by the "previous" keys: the same pages, the first with no way further back.
    back = [pages[-1]]
    with rt.reader() as s:
        while back[-1].prev_key is not None:
            back.append(inbox_page(s, world.user.id, before=back[-1].prev_key, size=5))
    assert [[r.task_id for r in p.rows] for p in back] == [[r.task_id for r in p.rows] for p in pages[::-1]]
    assert [p.next_key for p in back[1:]] == [p.next_key for p in pages[-2::-1]]


def _all(rt: Runtime, user_id: int, **filters):  # type: ignore[no-untyped-def]
    with rt.reader() as s:
        return inbox(s, user_id, **filters)


def test_the_inbox_holds_the_user_s_own_steps_and_the_unclaimed_ones_of_their_posts_only(rt, org, world):
    with rt.sessions.begin() as s:
        add_steps(s, world.power, [
            {"id": "unclaimed-accept", "post_id": world.accept, "due_at": _day(1)},
            {"id": "unclaimed-review", "post_id": world.review},
            {"id": "mine-in-my-post", "post_id": world.review, "assignee_id": world.user.id, "due_at": _day(1)},
            # assigned to the user in a post they do not hold, or in none
            {"id": "mine-elsewhere", "post_id": None, "assignee_id": world.user.id, "due_at": _day(2)},
            {"id": "colleague-s", "post_id": world.review, "assignee_id": world.colleague.id, "due_at": _day(0)},
            {"id": "outsider-s", "post_id": None, "assignee_id": org.outsider.id, "due_at": _day(0)},
        ])
    ids = [r.task_id for r in _all(rt, world.user.id)]
    assert ids == ["mine-in-my-post", "unclaimed-accept", "mine-elsewhere", "unclaimed-review"]
    assert [r.task_id for r in _all(rt, world.colleague.id)] == ["colleague-s", "unclaimed-review"]
    assert [r.task_id for r in _all(rt, org.outsider.id)] == ["outsider-s"]
    with rt.reader() as s:
        counts = inbox_counts(s, world.user.id)
    assert counts.total == Count(4) and str(counts.total) == "4"
    assert [(c.post, c.count.value) for c in counts.posts] == [("受理", 1), ("审核", 2)]


def test_filters_by_post_and_deadline_keep_working_across_pages(rt, world):
    steps = _mixed(world, 31)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    review = InboxFilter(post_id=world.review)
    in_review = [s for s in steps if s["post_id"] == world.review]
    assert _ids(_walk(rt, world.user.id, review, size=4)) == _order(in_review)
    by_day_one = InboxFilter(due_before=_day(1))
    due = [s for s in steps if s.get("due_at") and s["due_at"] <= _day(1)]
    assert _ids(_walk(rt, world.user.id, by_day_one, size=4)) == _order(due)
    both = InboxFilter(post_id=world.accept, due_before=_day(0))
    assert _ids(_walk(rt, world.user.id, both, size=2)) == \
        _order([s for s in due if s["post_id"] == world.accept and s["due_at"] <= _day(0)])
    with rt.reader() as s:
        assert inbox_counts(s, world.user.id, review).shown.value == len(in_review)
        assert inbox_counts(s, world.user.id, by_day_one).shown.value == len(due)
        assert inbox_counts(s, world.user.id).shown.value == len(steps)


def test_counts_stop_at_the_cap_and_say_so(rt, world):
    with rt.sessions.begin() as s:
        add_steps(s, world.power, [{"id": f"r{i:04d}", "post_id": world.review, "due_at": _day(i % 4)}
                                   for i in range(COUNT_CAP + 5)])
        add_steps(s, world.power, [{"id": f"a{i:04d}", "post_id": world.accept} for i in range(7)])
    with rt.reader() as s:
        counts = inbox_counts(s, world.user.id)
        review_filter = inbox_counts(s, world.user.id, InboxFilter(post_id=world.review))
        accept_filter = inbox_counts(s, world.user.id, InboxFilter(post_id=world.accept))
        page = inbox_page(s, world.user.id)
    assert [(c.post, str(c.count)) for c in counts.posts] == [("受理", "7"), ("审核", "999+")]
    assert counts.total.capped and str(counts.total) == "999+"
    assert str(review_filter.shown) == "999+" and str(accept_filter.shown) == "7"
    assert len(page.rows) == 50 and page.next_key is not None  # the list itself is never cut short


def test_a_page_key_past_the_steps_left_gives_the_last_page_and_one_near_the_start_the_first(rt, world):
    steps = _mixed(world, 12)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    order = _order(steps)
    first, second, third = _walk(rt, world.user.id)
    # The third page's two steps are worked meanwhile: "next" from the second page finds nothing after it.
    with rt.sessions.begin() as s:
        s.execute(delete(OpenTask).where(OpenTask.id.in_([r.task_id for r in third.rows])))
    with rt.reader() as s:
        page = inbox_page(s, world.user.id, after=second.next_key, size=5)
        assert [r.task_id for r in page.rows] == order[5:10] and page.next_key is None
        assert page.prev_key == page.rows[0].key
        # "previous" from a page that begins at the fourth step: the first page, full, with nothing before it.
        near = inbox_page(s, world.user.id, before=first.rows[3].key, size=5)
        assert [r.task_id for r in near.rows] == order[:5] and near.prev_key is None
        assert near.next_key == near.rows[-1].key


@pytest.mark.parametrize("text", [
    "", "x", "1.2", "1.2.3.4", "--.1.a", "1.-.a", "1..a", ".1.a", "1.2.", "1.2.a b", "1.2.a/b", "+1.2.a",
    "-1.2.a", "１.2.a", "1.2.٣", "1.2." + "a" * 37, "99999999999999999.1.a", "1.99999999999999999.a", "1e3.2.a",
])
def test_page_keys_no_link_carries_are_refused(text):
    with pytest.raises(BadPageKey):
        PageKey.decode(text)


def test_a_page_key_round_trips_and_a_forged_one_shows_only_the_user_s_steps(rt, org, world):
    with rt.sessions.begin() as s:
        add_steps(s, world.power, [
            {"id": "mine", "post_id": world.accept, "due_at": _day(1)},
            {"id": "not-mine", "post_id": None, "assignee_id": org.outsider.id, "due_at": _day(1)},
            {"id": "undated", "post_id": world.review},
        ])
    [first, undated] = _all(rt, world.user.id)
    assert PageKey.decode(first.key.encode()) == first.key
    assert PageKey.decode(undated.key.encode()) == undated.key and undated.key.encode().startswith("-.")
    with rt.reader() as s:
        # A key made up by hand is just a place in the order: what follows it, of the user's own, and nothing more.
        forged = PageKey.decode("0.0.0")
        assert [r.task_id for r in inbox_page(s, world.user.id, after=forged).rows] == ["mine", "undated"]
        far = PageKey.decode("-.9999999999999999.zzz")  # the year 2286
        assert [r.task_id for r in inbox_page(s, world.user.id, after=far).rows] == ["mine", "undated"]
        with pytest.raises(ValueError):
            inbox_page(s, world.user.id, after=forged, before=forged)


# ---- search, states, orders (issue 14) -------------------------------------------------------------------------


def _searchable(w: World, org: Org) -> list[dict]:
    """Steps on cases of distinct serials, applicants and ID numbers; two not in the user's inbox."""
    people = [("成都示例餐饮有限公司", "91510100MA6C00000M"), ("张三", "510104199001011234"),
              ("张三丰", "51010419900101567X"), ("李四", "510104198501012345")]
    steps = []
    for i in range(12):
        name, number = people[i % 4]
        steps.append({"id": f"q{i:02d}", "post_id": [w.accept, w.review][i % 2], "due_at": _day(i % 3),
                      "created_at": MONDAY_10_BJ + timedelta(minutes=i),
                      "case": {"serial": f"CSJ-2026112{i % 2}-{i:04d}", "applicant_name": name,
                               "applicant_id_number": number}})
    zhang = {"applicant_name": "张三", "applicant_id_number": people[1][1]}
    steps.append({"id": "outsider-s", "post_id": None, "assignee_id": org.outsider.id,
                  "case": {"serial": "CSJ-20261120-9999", **zhang}})
    steps.append({"id": "colleague-s", "post_id": w.review, "assignee_id": w.colleague.id,
                  "case": {"serial": "CSJ-20261121-9998", **zhang}})
    return steps


def _shown(rt: Runtime, user_id: int, f: InboxFilter, size: int = 50) -> list[str]:
    with rt.reader() as s:
        page = inbox_page(s, user_id, f, size=size)
    assert not page.too_many and page.next_key is None
    return [r.task_id for r in page.rows]


def test_the_search_finds_by_serial_prefix_applicant_id_number_and_power_among_the_user_s_steps(rt, org, world):
    steps = _searchable(world, org)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
        code, name = world.power.code, world.power.name
    mine = [st for st in steps if st["id"].startswith("q")]

    def found(text: str) -> set[str]:
        ids = _shown(rt, world.user.id, InboxFilter(search=text))
        with rt.reader() as s:
            assert inbox_counts(s, world.user.id, InboxFilter(search=text)).shown.value == len(ids)
        return set(ids)

    # A serial's beginning (typed in lower case too), never a colleague's or an outsider's step.
    assert found("CSJ-20261121") == {st["id"] for st in mine if st["case"]["serial"].startswith("CSJ-20261121")}
    assert found("csj-20261120-0004") == {"q04"}
    # An applicant by name or its beginning: 张三 finds 张三 and 张三丰.
    assert found("张三") == {st["id"] for st in mine if st["case"]["applicant_name"].startswith("张三")}
    assert found("张三丰") == {"q02", "q06", "q10"}
    # An ID number, exactly, whatever the spacing and case; a part of one finds nothing.
    assert found("51010419900101567x") == {"q02", "q06", "q10"}
    assert found("5101041990 0101 1234") == {"q01", "q05", "q09"}
    assert found("19900101") == set()
    # The power by its code or a part of its name.
    assert found(code) == found(name[:3]) == {st["id"] for st in mine}
    assert found("没有这个") == set()


def test_each_state_filter_shows_its_steps_and_counts_them(rt, org, world):
    now = MONDAY_10_BJ + timedelta(days=1, hours=12)
    steps = [
        {"id": "mine-overdue", "post_id": world.review, "assignee_id": world.user.id, "due_at": _day(0)},
        {"id": "mine-later", "post_id": world.accept, "assignee_id": world.user.id, "due_at": _day(5)},
        {"id": "free-overdue", "post_id": world.accept, "due_at": _day(0)},
        {"id": "free-undated", "post_id": world.review},
        {"id": "free-returned", "post_id": world.review, "due_at": _day(3), "returned_reason": "材料不全，重新审查"},
        {"id": "mine-returned", "post_id": world.review, "assignee_id": world.user.id, "due_at": _day(4),
         "returned_reason": "请补充意见"},
        {"id": "free-paused", "post_id": world.accept, "due_at": _day(2), "case": {"clock_paused_at": MONDAY_10_BJ}},
        # Not in the user's inbox: neither shown nor counted in any state.
        {"id": "colleague-returned", "post_id": world.review, "assignee_id": world.colleague.id,
         "due_at": _day(0), "returned_reason": "x", "case": {"clock_paused_at": MONDAY_10_BJ}},
    ]
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    expected = {
        "mine": ["mine-overdue", "mine-returned", "mine-later"],
        "unclaimed": ["free-overdue", "free-paused", "free-returned", "free-undated"],
        "returned": ["free-returned", "mine-returned"],
        "overdue": ["free-overdue", "mine-overdue"],
        "paused": ["free-paused"],
    }
    with time_machine.travel(now, tick=False):
        with rt.reader() as s:
            counts = inbox_counts(s, world.user.id)
        assert {k: v.value for k, v in counts.states.items()} == {k: len(v) for k, v in expected.items()}
        for state, ids in expected.items():
            assert _shown(rt, world.user.id, InboxFilter(state=state)) == ids, state
            with rt.reader() as s:
                assert inbox_counts(s, world.user.id, InboxFilter(state=state)).shown.value == len(ids)
        # A state and a post together.
        assert _shown(rt, world.user.id, InboxFilter(state="overdue", post_id=world.accept)) == ["free-overdue"]
        with rt.reader() as s:
            rows = {r.task_id: r for r in inbox(s, world.user.id)}
    assert rows["free-returned"].returned_reason == "材料不全，重新审查"
    assert rows["free-undated"].returned_reason is None
    assert rows["free-paused"].paused and not rows["free-overdue"].paused
    assert rows["mine-later"].assignee == world.user.display_name and rows["free-undated"].assignee is None


@pytest.mark.parametrize("sort", SORTS)
def test_a_bounded_view_pages_in_its_order_both_ways_without_loss_or_repeat(rt, org, world, sort):
    steps = _searchable(world, org) + [
        {"id": f"u{i:02d}", "post_id": world.review, "created_at": MONDAY_10_BJ + timedelta(minutes=i % 2),
         "case": {"serial": f"CSJ-20261122-{i:04d}", "applicant_name": "张三"}} for i in range(7)]
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    f = InboxFilter(search="张三", sort=sort)
    wanted = [st for st in steps if st["id"][0] in "qu" and st["case"]["applicant_name"].startswith("张三")]

    def place(st: dict) -> tuple:
        if sort == "arrival":
            return (st.get("created_at", MONDAY_10_BJ), st["id"])
        if sort == "serial":
            return (st["case"]["serial"], st["id"])
        return (st.get("due_at") is None, st.get("due_at") or MONDAY_10_BJ, st.get("created_at", MONDAY_10_BJ),
                st["id"])

    order = [st["id"] for st in sorted(wanted, key=place)]
    pages = _walk(rt, world.user.id, f, size=4)
    assert all(p.sort == sort for p in pages)
    assert _ids(pages) == order and len(order) == 13
    back = [pages[-1]]
    with rt.reader() as s:
        while back[-1].prev_key is not None:
            back.append(inbox_page(s, world.user.id, f, before=back[-1].prev_key, size=4))
    assert [r.task_id for p in back[::-1] for r in p.rows] == order
    # The key travels as text and comes back the same; another order's key is refused.
    key = pages[0].next_key
    assert decode_key(key.encode(), sort) == key
    with pytest.raises(BadPageKey):
        decode_key(key.encode(), next(o for o in SORTS if o != sort))


def test_a_view_over_every_queue_is_always_by_deadline(rt, world):
    steps = _mixed(world, 9)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, steps)
    pages = _walk(rt, world.user.id, InboxFilter(sort="serial"), size=4)
    assert all(p.sort == "deadline" for p in pages) and _ids(pages) == _order(steps)


def test_a_search_finding_too_many_cases_says_so_and_shows_none(rt, world, monkeypatch):
    import engine.inbox

    monkeypatch.setattr(engine.inbox, "NARROW_CAP", 5)
    with rt.sessions.begin() as s:
        add_steps(s, world.power, [{"id": f"m{i}", "post_id": world.review,
                                    "case": {"applicant_name": f"王{i}"}} for i in range(6)])
    with rt.reader() as s:
        page = inbox_page(s, world.user.id, InboxFilter(search="王"))  # one character is refused by clean()
        few = inbox_page(s, world.user.id, InboxFilter(search="王1"))
        counts = inbox_counts(s, world.user.id, InboxFilter(search="王"))
    assert page.too_many and page.rows == [] and counts.shown is None
    assert [r.task_id for r in few.rows] == ["m1"] and not few.too_many


def test_sort_keys_round_trip_any_serial_and_refuse_what_no_link_carries():
    key = SortKey("serial", "示范-20261130-0001", "0f1e")
    assert decode_key(key.encode(), "serial") == key
    for text, sort in [("s.@@.a", "serial"), ("s.Zg.a b", "serial"), ("a.12x.a", "arrival"),
                       ("a." + "9" * 17 + ".a", "arrival"), ("s.Zg.a", "arrival"), ("1.2.a", "serial")]:
        with pytest.raises(BadPageKey):
            decode_key(text, sort)
