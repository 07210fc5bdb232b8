"""A P4 alert (a fine outside its discretion range, no deadline) reads well in the alert list and on the case."""

from __future__ import annotations

from sqlalchemy import select

from engine.alerts import raise_alert
from engine.store import Case
from tests.app.conftest import sign_in


def test_a_p4_alert_is_listed_and_shown_on_its_case_page_in_both_languages(app):
    rt = app.extensions["sunshine"]
    with rt.sessions.begin() as s:
        case = s.execute(select(Case).where(Case.subject == "涉嫌经营超过保质期的食品案")).scalar_one()
        raise_alert(s, case, subject="00000000-0000-0000-0000-000000000004", rule="P4", step_name="作出决定",
                    due_at=None, actor="pizhun", details={"circumstance": "一般", "amount": 120000, "low": 60000,
                                                          "high": 80000, "level_published": True})
    zh = "「作出决定」违法情节「一般」罚款 120,000 元，超出自由裁量基准 60,000–80,000 元（红灯报警）"
    en = ("&#34;作出决定&#34;: a fine of 120,000 yuan for circumstance &#34;一般&#34; is outside the discretion "
          "standard&#39;s 60,000–80,000 yuan (red alert)")
    boss = app.test_client()
    sign_in(boss, "jiancha")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "<td>P4</td>" in page and zh in page and f">{case.serial}</a>" in page
    assert zh in boss.get(f"/work/cases/{case.id}").get_data(as_text=True)
    boss.get("/lang/en")
    assert en in boss.get("/watch/").get_data(as_text=True)
    assert en in boss.get(f"/work/cases/{case.id}").get_data(as_text=True)
