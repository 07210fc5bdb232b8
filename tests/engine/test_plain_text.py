"""Names and texts may hold no character a reader cannot see; the refusal names the character in both languages."""

from __future__ import annotations

import pytest

from engine.forms import Form
from engine.identity import create_user
from engine.plain_text import InvisibleText, invisible
from engine.runtime.applicant import Applicant, applicant_problems, problem_message
from engine.runtime.cases import start_case
from engine.runtime.errors import RuntimeProblem

SPOOF = "张\u202eRTL\u200b零宽"


@pytest.mark.parametrize(("text", "code", "name"), [
    (SPOOF, "U+202E", "RIGHT-TO-LEFT OVERRIDE"),
    ("示范\u200b公司", "U+200B", "ZERO WIDTH SPACE"),
    ("\ufeff示范公司", "U+FEFF", "ZERO WIDTH NO-BREAK SPACE"),
    ("王\u2066五", "U+2066", "LEFT-TO-RIGHT ISOLATE"),
    ("a\x00b", "U+0000", "NULL"),
    ("第一行\n第二行", "U+000A", "LINE FEED"),
    ("x\ud800", "U+D800", "UNPAIRED SURROGATE"),
    ("软\u00ad连字符", "U+00AD", "SOFT HYPHEN"),
])
def test_single_line_text_refuses_invisible_characters_by_name(text, code, name):
    found = invisible(text)
    assert found is not None and (found.code, found.name) == (code, name)
    assert found.message("en") == f"Contains an invisible character, {code} {name}: delete it and type the text again."
    assert found.message("zh").startswith(f"含有不可见字符 {code} {name}（")


def test_ordinary_names_pass_and_multi_line_text_keeps_its_line_breaks():
    for text in ("张三", "示范市味之源餐饮管理有限公司", "O'Brien-Smith", "José Müller", "王\ue000明", "葛\U000e0100",
                 "全角　空格", "👩‍⚕️"[:1]):
        assert invisible(text) is None, text  # private use (造字) and variation selectors are real characters
    assert invisible("第一行\r\n第二行\t说明", multiline=True) is None
    assert invisible("第一行\n\u202e第二行", multiline=True).code == "U+202E"
    assert invisible("a\x00b", multiline=True).code == "U+0000"


def test_registration_refuses_a_spoofing_name_with_the_character_named(rt, power):
    applicant = Applicant(SPOOF, "统一社会信用代码", "91510100MA6C00000M", "028-12345678")
    assert applicant_problems(applicant) == {"applicant_name": "invisible"}
    assert problem_message("applicant_name", "invisible", "zh", SPOOF) == (
        "含有不可见字符 U+202E RIGHT-TO-LEFT OVERRIDE（从右至左强制），请删除后重新输入。")
    with pytest.raises(RuntimeProblem) as refused:  # whoever calls the engine, nothing is stored
        start_case(rt, power.code, applicant, "申请", actor="clerk")
    assert refused.value.code == "case.invalid" and refused.value.fields == {"applicant_name": "invisible"}


def test_step_forms_refuse_invisible_characters_in_any_text_and_keep_a_textareas_lines():
    form = Form("f.json", "表", {"type": "object", "properties": {
        "party": {"type": "string", "title": "当事人"}, "opinion": {"type": "string", "title": "意见"}}},
        {"opinion": {"ui:widget": "textarea"}})
    assert form.validate({"party": "张三", "opinion": "同意。\n理由如下：\t见附件"}) == {}
    errors = form.validate({"party": SPOOF, "opinion": "同意\u202e。"}, "en")
    assert errors == {"party": "Contains an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE: delete it and type "
                               "the text again.",
                      "opinion": "Contains an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE: delete it and type "
                                 "the text again."}
    assert "U+000A LINE FEED" in form.validate({"party": "张\n三"})["party"]  # one-line fields have no breaks


def test_a_user_is_not_created_with_an_invisible_character_in_their_name(db):
    with db.sessions.begin() as s, pytest.raises(InvisibleText) as refused:
        create_user(s, "zhang", SPOOF, "pw", roles=["staff"])
    assert refused.value.field == "display_name" and "U+202E" in refused.value.message("zh")
