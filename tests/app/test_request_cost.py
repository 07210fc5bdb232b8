"""What a signed-in page costs the database: a fixed, small number of statements, the same however many cases,
open steps and finished steps there are, so pages stay fast as the data grows. The signed-in user, their roles and
posts come with the session, in one read; a page that needs them asks them of the user, not of the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from engine import clock
from engine.runtime.cases import Applicant, start_case
from engine.store import Power
from tests.app.conftest import sign_in
from tests.app.test_applicant_correction import ACCEPT, NEW_NAME, OLD_NAME


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every SQL statement the application sends while the block runs."""
    rt = app.extensions["sunshine"]
    writer, reader = rt.sessions.kw["bind"], rt.reader.kw["bind"]
    # SQLite's reader is the writer's engine with an option (its events are the engine's); PostgreSQL's has its own.
    binds = [writer] if reader.pool is writer.pool else [writer, reader]
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    for bind in binds:
        event.listen(bind, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for bind in binds:
            event.remove(bind, "before_cursor_execute", record)


def cost(app, client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of a GET of ``path``, which must show its page, once the process has seen it before (a web
    worker parses a flowchart, reads a form, compiles a template once; from then on each visit costs this)."""
    client.get(path)
    with statements(app) as seen:
        resp = client.get(path)
    assert resp.status_code == 200, path
    return list(seen)


def reads_of(table: str, seen: list[str]) -> list[str]:
    return [s for s in seen if re.search(rf"\b{table}\b", s)]


def task_link(client, serial: str) -> str:  # type: ignore[no-untyped-def]
    inbox = client.get("/work/").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{re.escape(serial)}(?:(?!</tr>).)*</tr>', inbox, re.S)
    assert row is not None, serial
    return re.search(r'href="(/work/tasks/[^"]+)"', row.group(0)).group(1)


def more_cases(app, n: int) -> str:
    """``n`` more licence applications waiting at 受理 (shouli's post); the serial of the last."""
    rt = app.extensions["sunshine"]
    with rt.reader() as s:
        code = s.execute(select(Power.code).where(Power.name == "食品经营许可")).scalar_one()
    applicant = Applicant("示范市味之源餐饮管理有限公司", "统一社会信用代码", "91519900MA62A1B2CY", "0837-2881234")
    serial = ""
    for i in range(n):
        serial = start_case(rt, code, applicant, f"第 {i} 件", actor="shouli").serial
    return serial


def test_a_task_page_reads_the_session_the_step_with_its_case_and_the_history(app):
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    first = more_cases(app, 1)
    link = task_link(clerk, first)
    seen = cost(app, clerk, link)
    # The session, the step with its case, the history; the workspace's three: the user's draft of the step (暂存),
    # the case's files (材料清单 and evidence), the colleagues of the post (转办).
    assert len(seen) == 6, seen
    # The session read brings the user's posts: nothing reads them again to decide that shouli may work the step.
    # (The colleagues of the post for 转办 are users read through their memberships: that is not the user's own posts.)
    own = [q for q in reads_of("memberships", seen) if not q.startswith("SELECT users.")]
    assert len(reads_of("web_sessions", seen)) == 1 and own == reads_of("web_sessions", seen)

    more_cases(app, 25)
    assert len(cost(app, clerk, link)) == 6


def test_a_step_after_one_that_carried_applicant_fields_also_reads_the_corrections_of_the_applicant(app):
    # The demo's second licence application has passed 受理, whose form carries the applicant's fields: its 承办
    # page shows any correction of the applicant with that step, so it reads them (one statement, however many).
    handler = app.test_client()
    sign_in(handler, "chengban")
    inbox = handler.get("/work/").get_data(as_text=True)
    link = re.search(r'href="(/work/tasks/[^"]+)"', inbox).group(1)
    seen = cost(app, handler, link)
    assert len(seen) == 7 and len(reads_of("audit_events", seen)) == 1, seen


def test_the_next_steps_page_shows_a_correction_of_the_applicant_with_the_step_that_made_it(app):
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    link = re.search(r'class="open-task" href="(/work/tasks/[^"]+)">受理<',
                     clerk.get("/work/").get_data(as_text=True)).group(1)
    today = clock.local(clock.now()).date().isoformat()
    assert clerk.post(link, data={"csrf": token, **ACCEPT, "application_date": today}).status_code == 302
    handler = app.test_client()
    sign_in(handler, "chengban")
    inbox = handler.get("/work/").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{NEW_NAME}(?:(?!</tr>).)*</tr>', inbox, re.S).group(0)
    page = handler.get(re.search(r'href="(/work/tasks/[^"]+)"', row).group(1)).get_data(as_text=True)
    history = re.search(r'<ol class="history">.*?</ol>', page, re.S).group(0)
    assert f"<li>名称或姓名：{OLD_NAME} → {NEW_NAME}</li>" in history and "更正申请人信息" in history


def test_the_inbox_costs_the_same_however_many_steps_wait_in_it(app):
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    before = cost(app, clerk, "/work/")
    more_cases(app, 30)
    after = cost(app, clerk, "/work/")
    # The session, the page, the counts, the posts, and the user's paused cases (at most a capped few) for 已暂停.
    assert len(after) == len(before) == 6, after
    assert len(reads_of("web_sessions", after)) == 1


def test_the_registration_page_reads_the_session_and_the_powers_offered(app):
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    seen = cost(app, clerk, "/work/cases/new")
    # Whether to offer 受理登记 and 立案登记 in the menu is answered from the user's posts, not read again; the third
    # statement reads the material lists of the powers offered (one per power, one statement in all).
    assert len(seen) == 3 and len(reads_of("web_sessions", seen)) == 1, seen
