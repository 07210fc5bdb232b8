"""Forms: the platform's date keywords (x-not-before, x-not-before-case, x-not-after-today) and the checks on
the form files that declare them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from engine.bpmn.parser import load_process
from engine.bpmn.rules.timers import CASE_START_DATA
from engine.forms import FormError, FormRegistry, form_text, form_texts, ui_texts
from engine.runtime.stepforms import form_names

ROOT = Path(__file__).resolve().parents[2]
FORMS = FormRegistry(ROOT / "forms")
TODAY = date(2026, 11, 23)
APPROVE = {"approve_result": "approve", "licence_no": "JY15199000000017", "decision_no": "示市监食许〔2026〕1号",
           "legal_basis": "《食品安全法》第三十五条", "opinion": "准予许可"}


def test_an_end_of_validity_before_its_start_is_refused_at_the_end():
    form = FORMS.get("license_food_business_approve.json")
    valid = {**APPROVE, "valid_from": "2026-11-23", "valid_until": "2031-11-22"}
    assert form.validate(valid, today=TODAY) == {}
    assert form.validate({**valid, "valid_until": "2026-11-23"}, today=TODAY) == {}  # the same day is not earlier
    wrong = {**valid, "valid_until": "2026-11-22"}
    assert form.validate(wrong, today=TODAY) == {"valid_until": "不能早于「有效期起」（2026-11-23）。"}
    assert form.validate(wrong, "en", today=TODAY) == {
        "valid_until": "Must not be earlier than “有效期起” (2026-11-23)."}
    # A malformed or missing start gets its own message; the order is not judged on it.
    assert form.validate({**wrong, "valid_from": "2026-13-01"}, today=TODAY) == {
        "valid_from": "日期格式应为 年-月-日，例如 2026-11-21。"}


def test_a_delivery_date_may_not_lie_in_the_future_or_before_the_decision():
    form = FORMS.get("penalty_general_deliver.json")
    filled = {"delivery_method": "direct", "recipient": "李某", "receipt_no": "SD-1", "remedy_informed": True,
              "opinion": "已直接送达"}
    case = {"decision_date": "2026-11-20"}
    assert form.validate({**filled, "delivered_date": "2026-11-20"}, case_data=case, today=TODAY) == {}
    assert form.validate({**filled, "delivered_date": "2026-11-24"}, case_data=case, today=TODAY) == {
        "delivered_date": "不能晚于今天（2026-11-23）。"}
    assert form.validate({**filled, "delivered_date": "2026-11-19"}, "en", case_data=case, today=TODAY) == {
        "delivered_date": "Must not be earlier than the case's “决定日期” (2026-11-20)."}
    # Nothing recorded yet (or not a date): nothing to compare with.
    assert form.validate({**filled, "delivered_date": "2026-01-01"}, today=TODAY) == {}
    assert form.validate({**filled, "delivered_date": "2026-01-01"}, case_data={"decision_date": "soon"},
                         today=TODAY) == {}
    # A moment a script stored counts as its Beijing day.
    moment = {"decision_date": datetime(2026, 11, 20, 16, 0, tzinfo=UTC)}
    assert form.validate({**filled, "delivered_date": "2026-11-20"}, case_data=moment, today=TODAY) == {
        "delivered_date": "不能早于本案的「决定日期」（2026-11-21）。"}


def test_today_is_the_beijing_date_of_the_engine_clock():
    form = FORMS.get("license_food_business_conclude.json")
    filled = {"delivery_method": "window", "recipient": "王某", "opinion": "已领取", "delivered_date": "2026-11-24"}
    with time_machine.travel(datetime(2026, 11, 23, 15, 59, tzinfo=UTC), tick=False):  # 23:59 in Beijing
        assert form.validate(filled) == {"delivered_date": "不能晚于今天（2026-11-23）。"}
    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=UTC), tick=False):  # midnight in Beijing
        assert form.validate(filled) == {}


def test_every_date_that_records_something_done_may_not_lie_in_the_future():
    done = {"confirmation_simple_accept.json": "birth_date", "confirmation_simple_conclude.json": "notified_date",
            "license_food_business_accept.json": "application_date",
            "license_food_business_supplement.json": "supplement_received_date",
            "license_food_business_handle.json": "onsite_inspection_date",
            "license_food_business_conclude.json": "delivered_date",
            "penalty_general_register.json": "discovered_date",
            "penalty_general_notify.json": "notice_delivered_date",
            "penalty_general_hearing.json": "hearing_date", "penalty_general_decide.json": "decision_date",
            "penalty_general_deliver.json": "delivered_date"}
    for name, field in done.items():
        errors = FORMS.get(name).validate({field: "2026-11-24"}, today=TODAY)
        assert errors[field] == "不能晚于今天（2026-11-23）。", name


def test_shipped_forms_are_sound_and_compare_only_with_dates_their_process_records():
    for path in sorted((ROOT / "forms").glob("*.json")):
        FORMS.field_names(path.name)  # raises FormError on any mistake in the form file
        if not path.name.endswith(".uischema.json"):
            assert FORMS.get(path.name).problems() == [], path.name
    for bpmn in sorted((ROOT / "processes").glob("*.bpmn")):
        loaded = load_process(bpmn.read_bytes(), bpmn.name)
        forms = [FORMS.get(name) for name in set(form_names([loaded.spec]).values())]
        recorded = set(CASE_START_DATA).union(*(f.schema["properties"] for f in forms))
        for form in forms:
            for name, spec in form.schema["properties"].items():
                if ref := spec.get("x-not-before-case"):
                    assert ref["field"] in recorded, (form.name, name, ref)


def _registry(tmp_path: Path, properties: dict, **extra: object) -> FormRegistry:
    schema = {"type": "object", "properties": properties, **extra}
    (tmp_path / "f.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return FormRegistry(tmp_path)


DAY = {"type": "string", "format": "date", "title": "日期"}


@pytest.mark.parametrize(("properties", "extra", "says"), [
    ({"until": {**DAY, "x-not-before": "from"}}, {}, "“until”的 x-not-before 引用的字段“from”不在本表单中"),
    ({"a": {**DAY, "x-not-befor": "b"}, "b": DAY}, {}, "x-not-befor 不是平台认识的关键字"),
    ({"a": {"type": "string", "x-not-after-today": True}}, {}, "字段“a”不是日期"),
    ({"a": {**DAY, "x-not-before": "b"}, "b": {"type": "string"}}, {}, "引用的字段“b”不是日期"),
    ({"a": {**DAY, "x-not-after-today": "yes"}}, {}, "x-not-after-today 应写成 true"),
    ({"a": {**DAY, "x-not-before-case": "decision_date"}}, {}, 'x-not-before-case 应写成 {"field"'),
    ({"a": DAY}, {"allOf": [{"properties": {"a": {"x-not-after-today": True}}}]},
     "x-not-after-today 只能写在表单的字段上（properties 之下），写在 #/allOf/0/properties/a 不起作用"),
    ({"a": {"type": "strin"}}, {}, "不是有效的 JSON Schema"),
    ({"a": {"type": "string", "x-material": "营业执照"}}, {}, "字段“a”不是“是/否”"),
    ({"a": {"type": "boolean", "x-material": ""}}, {}, "x-material 应写成"),
])
def test_a_form_that_declares_what_cannot_work_is_refused_by_the_registry(tmp_path, properties, extra, says):
    registry = _registry(tmp_path, properties, **extra)
    with pytest.raises(FormError) as err:
        registry.field_names("f.json")
    assert says in err.value.message("zh"), err.value.message("zh")
    assert err.value.message("en") and err.value.message("en") != err.value.message("zh")
    assert registry.get("f.json").problems() != []


def test_a_form_using_the_keywords_well_is_accepted(tmp_path):
    registry = _registry(tmp_path, {
        "from": {**DAY, "x-not-after-today": False, "x-not-before-case": {"field": "application_date",
                                                                          "title": "申请日期"}},
        "until": {**DAY, "x-not-before": "from"}})
    assert registry.field_names("f.json") == {"from", "until"}
    answered = _registry(tmp_path, {"licence": {"type": "boolean", "title": "营业执照", "x-material": "营业执照"}})
    assert [f.material for f in answered.get("f.json").fields] == ["营业执照"]
    # A ui schema only lays fields out: it is not judged as a form.
    (tmp_path / "f.uischema.json").write_text('{"type": {"ui:widget": "radio"}}', encoding="utf-8")
    assert registry.field_names("f.uischema.json") == set()


# Form texts in the reader's language: the Chinese text is the msgid, the caller passes its gettext.
ENGLISH = {"食品经营许可 · 批准": "Food business licence · Approval", "有效期起": "Valid from",
           "有效期至": "Valid until", "准予许可": "Grant the licence", "食品经营许可证有效期为5年。":
           "A food business licence is valid for 5 years.", "决定日期": "Decision date"}


def _english(text: str) -> str:
    return ENGLISH.get(text, text)  # as gettext: a text without a translation stays as written


def test_a_localised_form_shows_its_texts_in_the_reader_s_language_and_keeps_its_values():
    form = FORMS.get("license_food_business_approve.json")
    english = form.localised(_english)
    assert english.title == "Food business licence · Approval" and form.title == "食品经营许可 · 批准"
    assert english.description == form.description  # untranslated texts stay Chinese, never vanish
    fields = {f.name: f for f in english.fields}
    assert fields["valid_until"].title == "Valid until"
    assert fields["valid_until"].description == "A food business licence is valid for 5 years."
    assert fields["approve_result"].choices[0] == ("approve", "Grant the licence")  # the value is the same
    assert fields["legal_basis"].title == "法律依据"
    assert english.schema is form.schema and form.localised(None) is form
    assert {f.name: f.title for f in form.fields}["valid_until"] == "有效期至"  # the registry's form is untouched


def test_a_date_message_names_the_other_field_in_the_reader_s_language():
    form = FORMS.get("license_food_business_approve.json")
    wrong = {**APPROVE, "valid_from": "2026-11-23", "valid_until": "2026-11-22"}
    assert form.localised(_english).validate(wrong, "en", today=TODAY) == {
        "valid_until": "Must not be earlier than “Valid from” (2026-11-23)."}
    # As written (no translate), the other field is named as the form file names it.
    assert form.validate(wrong, "en", today=TODAY) == {
        "valid_until": "Must not be earlier than “有效期起” (2026-11-23)."}
    deliver = FORMS.get("penalty_general_deliver.json")
    late = {"delivery_method": "direct", "delivered_date": "2026-11-20", "recipient": "王某", "receipt_no": "1",
            "remedy_informed": True, "opinion": "已送达"}
    assert deliver.localised(_english).validate(late, "en", case_data={"decision_date": "2026-11-21"},
                                                today=TODAY) == {
        "delivered_date": "Must not be earlier than the case's “Decision date” (2026-11-21)."}


def test_form_texts_lists_every_text_a_reader_sees_once_and_form_text_leaves_blanks_alone():
    texts = form_texts(FORMS.get("penalty_general_deliver.json").schema)
    assert texts[0] == "一般程序行政处罚 · 送达" and texts[1].startswith("决定书应当在宣告后当场交付当事人")
    assert {"送达方式", "直接送达", "公告送达", "送达日期", "决定日期", "本岗位的办理过程和结果意见（必填）。"} <= set(
        texts)
    assert len(texts) == len(set(texts)) and "direct" not in texts
    assert form_texts({"properties": {"kind": {"title": "ID", "enum": ["甲类", "b"]}}}) == ["甲类"]
    assert form_text("", lambda _: "the catalog's header") == "" and form_text("有效期至", None) == "有效期至"


def test_a_field_s_ui_help_is_shown_in_the_reader_s_language_and_listed_for_translation():
    form = FORMS.get("penalty_general_decide.json")
    help_text = "情节严重的，须经负责人集体讨论决定。"
    assert {f.name: f.help for f in form.fields}["circumstance"] == help_text
    assert {f.name: f.help for f in form.fields}["decision_result"] is None
    english = form.localised({help_text: "A grave case must be decided collectively."}.get)
    assert {f.name: f.help for f in english.fields}["circumstance"] == "A grave case must be decided collectively."
    assert ui_texts(form.ui) == [help_text]
    assert ui_texts({"x": {"ui:help": "plain"}, "y": {"ui:widget": "radio"}, "ui:order": ["x"]}) == []


def test_the_fields_a_choice_requires_follow_the_values_shown():
    prepare = FORMS.get("catalog_review_prepare.json")
    # No choice (a review case on the previous flowchart version) submits: 已核对 and 申请说明 are required.
    assert prepare.required_now({}) == prepare.required_now({"prepare_result": "submit"}) == {"checked", "opinion"}
    assert prepare.required_now({"prepare_result": "withdraw"}) == {"reason"}
    assert prepare.conditionally_required == {"checked", "opinion", "reason"}
    assert prepare.required_by_choice == {"prepare_result": {"submit": ["checked", "opinion"], "withdraw": ["reason"]}}
    # A yes/no choice moves requirements too; a choice that moves none (证件类型) is left out.
    handle = FORMS.get("license_food_business_handle.json")
    assert handle.required_by_choice["onsite_inspection_required"] == {
        "": [], "true": ["onsite_inspection_date", "onsite_inspectors", "onsite_result"], "false": []}
    assert "reason" in handle.required_now({"handle_result": "refuse"}) - handle.required_now({})
    assert "applicant_id_type" not in FORMS.get("license_food_business_accept.json").required_by_choice
