"""我的待办 over HTTP: every step reachable a page at a time by its links, filters kept, counts capped, bad keys 400."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from engine import clock
from engine.inbox import COUNT_CAP, PAGE_SIZE, inbox
from engine.store import Membership, Post, Power, User
from tests.app.conftest import sign_in
from tests.engine.test_inbox import add_steps

ROW = re.compile(r'<tr class="[a-z]+" data-task="([^"]+)"')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')


def _add(demo_db, username: str, n: int, *, undated_every: int = 4) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` unclaimed steps in the first post ``username`` holds, many tying on their deadline; their ids."""
    now = clock.now()
    with demo_db.sessions.begin() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        post = s.execute(select(Post).join(Membership, Membership.post_id == Post.id)
                         .where(Membership.user_id == user.id).order_by(Post.id)).scalars().first()
        power = s.execute(select(Power).where(Power.department_id == post.department_id,
                                              Power.process_key.is_not(None)).order_by(Power.id)).scalars().first()
        steps = [{"id": f"bulk-{i:04d}", "post_id": post.id, "created_at": now - timedelta(hours=i % 5),
                  **({} if i % undated_every == 0 else {"due_at": now + timedelta(days=i % 3)})} for i in range(n)]
        add_steps(s, power, steps)
        return [step["id"] for step in steps]


def _page(client, url: str) -> tuple[list[str], str | None, str | None, str]:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == 200, url
    page = resp.get_data(as_text=True)
    links = [unescape(m.group(1)) if m else None for m in (NEXT.search(page), PREV.search(page))]
    return ROW.findall(page), links[0], links[1], page


def _everything(demo_db, username: str, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    with demo_db.sessions() as s:
        user_id = s.execute(select(User.id).where(User.username == username)).scalar_one()
        return [r.task_id for r in inbox(s, user_id, **filters)]


def test_every_step_is_reached_once_in_order_by_the_next_links_and_previous_goes_back(app, demo_db):
    added = _add(demo_db, "shouli", 2 * PAGE_SIZE + 7)
    expected = _everything(demo_db, "shouli")
    assert set(added) <= set(expected)
    client = app.test_client()
    sign_in(client, "shouli")
    seen, pages, url = [], [], "/work/"
    while url:
        rows, url, back, page = _page(client, url)
        assert (back is None) == (not pages)  # "上一页" on every page but the first
        pages.append(rows)
        seen += rows
    assert seen == expected and [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, len(expected) - 2 * PAGE_SIZE]
    assert f"共 {len(expected)} 个待办环节" in page
    rows, _, back, _ = _page(client, back)  # from the last page back to the second
    assert rows == pages[1] and "before=" in back and "offset" not in back


def test_the_post_and_deadline_filters_travel_with_the_page_links(app, demo_db):
    _add(demo_db, "shouli", 140)
    client = app.test_client()
    sign_in(client, "shouli")
    post = re.search(r'href="/work/\?post=(\d+)"', client.get("/work/").get_data(as_text=True)).group(1)
    day = clock.local(clock.now()) + timedelta(days=1)
    end_of_day = datetime.combine(day.date(), time(23, 59, 59), clock.LOCAL_TZ)
    expected = _everything(demo_db, "shouli", post_id=int(post), due_before=end_of_day)
    url, seen = f"/work/?post={post}&due_before={day.date().isoformat()}", []
    while url:
        rows, url, _, page = _page(client, url)
        seen += rows
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["post"] == [post] and query["due_before"] == [day.date().isoformat()]
    assert seen == expected and len(expected) > PAGE_SIZE
    assert f"共 {len(expected)} 个待办环节" in page


def test_counts_past_the_cap_read_999_plus_and_the_list_still_goes_on(app, demo_db):
    _add(demo_db, "shouli", COUNT_CAP + 3)
    client = app.test_client()
    sign_in(client, "shouli")
    rows, after, _, page = _page(client, "/work/")
    assert "共 999+ 个待办环节" in page and "<b>999+</b>" in page
    assert len(rows) == PAGE_SIZE and after is not None


@pytest.mark.parametrize("query", [
    "after=nonsense", "after=1.2.a%20b", "after=%EF%BC%91.2.a", "before=" + "9" * 40 + ".1.a", "after=1.2.a/b",
    "after=0.0.a&before=0.0.a",
])
def test_a_malformed_page_key_is_a_plain_400_page(app, query):
    client = app.test_client()
    sign_in(client, "shouli")
    resp = client.get(f"/work/?{query}")
    assert resp.status_code == 400
    assert "Traceback" not in resp.get_data(as_text=True)


def test_a_forged_page_key_shows_only_the_user_s_own_steps(app, demo_db):
    _add(demo_db, "chengban", 5)  # another post's work
    client = app.test_client()
    sign_in(client, "shouli")
    mine = _everything(demo_db, "shouli")
    rows, _, _, _ = _page(client, "/work/?after=0.0.0")
    assert rows == mine and not any(r.startswith("bulk-") for r in rows)


# ---- search, states, orders (issue 14) -------------------------------------------------------------------------


def _add_found(demo_db, username: str, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` unclaimed steps of ``username``'s first post on cases of applicant 王小明, one in three returned."""
    with demo_db.sessions.begin() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        post = s.execute(select(Post).join(Membership, Membership.post_id == Post.id)
                         .where(Membership.user_id == user.id).order_by(Post.id)).scalars().first()
        power = s.execute(select(Power).where(Power.department_id == post.department_id,
                                              Power.process_key.is_not(None)).order_by(Power.id)).scalars().first()
        now = clock.now()
        steps = [{"id": f"found-{i:03d}", "post_id": post.id, "created_at": now - timedelta(minutes=i),
                  "due_at": now + timedelta(days=1 + i % 4),
                  **({"returned_reason": f"退回理由 {i}"} if i % 3 == 0 else {}),
                  "case": {"serial": f"WSX-20261130-{i:04d}", "applicant_name": "王小明"}} for i in range(n)]
        add_steps(s, power, steps)
        return [st["id"] for st in steps]


def _walk_links(client, url: str) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    """Every row from ``url`` on by the "下一页" links, checking the filters travel; and back by "上一页"."""
    seen, pages, last = [], [], None
    first_query = parse_qs(urlsplit(url).query)
    while url:
        rows, url, back, page = _page(client, url)
        pages.append(rows)
        seen += rows
        last = back
        if url:
            query = parse_qs(urlsplit(url).query)
            assert {k: query[k] for k in first_query} == first_query
    again = []
    while last:
        rows, _, last, _ = _page(client, last)
        again = rows + again
    assert again == [r for p in pages[:-1] for r in p]  # back to the first page: the same rows
    return seen, page


def test_a_search_and_a_sort_travel_with_the_links_and_every_match_is_reached_once(app, demo_db):
    added = _add_found(demo_db, "shouli", PAGE_SIZE + 12)
    client = app.test_client()
    sign_in(client, "shouli")
    seen, page = _walk_links(client, "/work/?q=%E7%8E%8B%E5%B0%8F%E6%98%8E&sort=serial")  # 王小明
    assert seen == sorted(added, key=lambda i: int(i.split("-")[1]))  # by serial, which follows the number
    assert f"共 {len(added)} 个待办环节" in page and "每页 50 个" in page
    seen, _ = _walk_links(client, "/work/?q=WSX-20261130-00&sort=arrival")  # a serial's beginning
    assert seen == added[::-1]  # by arrival: the last added arrived first


def test_the_state_filters_show_their_counts_and_a_returned_step_its_reason(app, demo_db):
    added = _add_found(demo_db, "shouli", 9)
    client = app.test_client()
    sign_in(client, "shouli")
    page = client.get("/work/").get_data(as_text=True)
    returned = [i for n, i in enumerate(added) if n % 3 == 0]
    assert re.search(r'data-state="returned"[^>]*>被退回 <b>3</b>', page)
    assert re.search(r'data-state="unclaimed"[^>]*>待认领 <b>\d+</b>', page)
    rows, _, _, page = _page(client, "/work/?state=returned")
    assert sorted(rows) == sorted(returned) and "共 3 个待办环节" in page
    assert "退回理由：退回理由 3" in page and page.count('data-returned="1"') == 3
    rows, _, _, page = _page(client, "/work/?state=mine")
    assert not set(rows) & set(added) and "待认领" in page


def test_a_search_too_short_is_explained_and_a_state_no_link_carries_is_a_400(app, demo_db):
    client = app.test_client()
    sign_in(client, "shouli")
    page = client.get("/work/?q=王", follow_redirects=True).get_data(as_text=True)
    assert "请至少输入两个字符。" in page
    for query in ("q=%00%E7%8E%8B%E5%B0%8F", "q=%E2%80%AE%E7%8E%8B%E5%B0%8F"):  # NUL, a right-to-left override
        for path in ("/work/", "/work/cases"):
            resp = client.get(f"{path}?{query}")
            text = resp.get_data(as_text=True)
            # Refused before the page (a 400) or by the search itself, with a message; never a stack trace.
            assert resp.status_code == 400 or "搜索内容含有不可见字符，请重新输入。" in text, (path, query)
            assert "Traceback" not in text
    assert client.get("/work/?state=everything").status_code == 400
    assert client.get("/work/?sort=random").status_code == 400
    assert client.get("/work/?q=%E7%8E%8B%E5%B0%8F&sort=serial&after=1.2.abc").status_code == 400
