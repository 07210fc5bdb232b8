"""受理登记 is the window's (受理) and offers no penalty; 立案登记 is the enforcement officers' (立案), in a penalty's
words; everyone else is told why they cannot register, and the navigation offers each entry to its post only."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.store import Case, OpenTask
from tests.app.conftest import sign_in

LICENCE, PENALTY = "519900-SCJGJ-XK-0001", "519900-SCJGJ-CF-0001"
PARTY = {"applicant_name": "示范市惠民超市有限公司", "applicant_id_type": "统一社会信用代码",
         "applicant_id_number": "91519900MA62G7H8JK", "applicant_contact": "0837-2887766"}


def _nav(page: str) -> str:
    return re.search(r"<nav>.*?</nav>", page, re.S)[0]


def test_staff_without_the_window_post_cannot_register_even_in_their_own_department(app):
    for username in ("chengban", "shenhe", "mulu", "zhifa", "jiancha"):  # handler, reviewer, catalog clerk …
        client = app.test_client()
        token = sign_in(client, username)
        page = client.get("/work/cases/new").get_data(as_text=True)
        assert "不能登记办件" in page and LICENCE not in page, username
        assert "受理登记" not in _nav(page), username
        resp = client.post("/work/cases/new", data={"csrf": token, "power": LICENCE, "subject": "申请", **PARTY})
        assert resp.status_code == 422, username
        assert "您不在「食品经营许可」所属部门的「受理」岗位上，不能为其受理登记。" in resp.get_data(as_text=True)
    with app.extensions["sunshine"].reader() as s:
        assert not s.execute(select(Case).where(Case.subject == "申请")).first()


def test_the_window_is_not_offered_penalties_and_is_refused_one(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    page = client.get("/work/cases/new").get_data(as_text=True)
    assert LICENCE in page and PENALTY not in page
    assert "受理登记" in _nav(page) and "立案登记" not in _nav(page)
    resp = client.post("/work/cases/new", data={"csrf": token, "power": PENALTY, "subject": "涉嫌违法", **PARTY})
    assert resp.status_code == 422
    assert "是行政处罚，不在窗口受理：由本部门「立案」岗位的执法人员立案登记" in resp.get_data(as_text=True)
    assert client.get("/work/penalties/new").get_data(as_text=True).count("不能立案登记") == 1


def test_an_enforcement_officer_opens_a_penalty_case_from_the_filing_entry(app):
    client = app.test_client()
    token = sign_in(client, "zhifa")
    page = client.get("/work/").get_data(as_text=True)
    assert "立案登记" in _nav(page) and "受理登记" not in _nav(page)
    page = client.get("/work/penalties/new").get_data(as_text=True)
    assert "<h1>立案登记</h1>" in page and PENALTY in page and LICENCE not in page
    assert "案由" in page and "<legend>当事人</legend>" in page and "申请" not in page.split('class="card"')[1]
    resp = client.post("/work/penalties/new", data={"csrf": token, "power": PENALTY,
                                                     "subject": "涉嫌经营超过保质期的食品", **PARTY})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    case_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert "已立案，案件编号" in client.get(resp.headers["Location"]).get_data(as_text=True)
    with app.extensions["sunshine"].reader() as s:
        case = s.get(Case, case_id)
        [step] = s.execute(select(OpenTask).where(OpenTask.case_id == case_id)).scalars()
    assert case.created_by == "zhifa" and case.applicant_name == "示范市惠民超市有限公司" and step.name == "立案"
    resp = client.post("/work/penalties/new", data={"csrf": token, "power": LICENCE, "subject": "申请", **PARTY})
    assert resp.status_code == 422 and "是依申请办理的事项，不能立案登记" in resp.get_data(as_text=True)


def test_the_filing_entry_speaks_english_too(app):
    client = app.test_client()
    sign_in(client, "zhifa")
    client.get("/lang/en")
    page = client.get("/work/penalties/new").get_data(as_text=True)
    assert "Open a penalty case" in page and "Case cause" in page and "Party" in page
