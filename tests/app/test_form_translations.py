"""Every text a step form shows has English in the gettext catalog, so no form field ships without it."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _

from app import create_app
from engine.forms import FormRegistry
from tests.settings import make_settings

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("form_strings", ROOT / "scripts" / "form_strings.py")
assert _spec is not None and _spec.loader is not None
form_strings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(form_strings)

CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_form_text_has_an_english_translation():
    texts = form_strings.form_strings()
    assert len(texts) > 200 and "有效期至" in texts and "直接送达" in texts  # the script reads every form
    assert texts["情节严重的，须经负责人集体讨论决定。"] == ["penalty_general_decide.uischema.json"]  # and ui:help
    missing = form_strings.missing()
    assert missing == {}, "add English to app/translations/en/LC_MESSAGES/messages.po for: " + "; ".join(
        f"{text} ({', '.join(files)})" for text, files in missing.items())


def test_the_english_of_form_texts_is_english():
    english = form_strings.english()
    chinese = {t: english[t] for t in form_strings.form_strings() if CJK.search(english.get(t, ""))}
    assert chinese == {}


def test_a_text_without_english_is_reported_with_its_form(tmp_path):
    form = {"title": "测试表单", "properties": {"x": {"type": "string", "title": "有效期至"},
                                             "y": {"type": "string", "title": "一个没有英文的新字段"}}}
    (tmp_path / "test.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "test.uischema.json").write_text('{"y": {"ui:help": "一条没有英文的说明"}, "ui:order": ["y"]}',
                                                 encoding="utf-8")
    assert form_strings.missing(tmp_path) == {"测试表单": ["test.json"], "一个没有英文的新字段": ["test.json"],
                                              "一条没有英文的说明": ["test.uischema.json"]}
    assert form_strings.main(["--missing", "--forms-dir", str(tmp_path)]) == 1


def test_the_compiled_catalog_serves_the_forms_in_english(db):
    app = create_app(make_settings(database_url=db.url))
    form = FormRegistry(ROOT / "forms").get("license_food_business_approve.json")
    with app.test_request_context(), force_locale("en"):
        english = form.localised(_)
        assert english.title == "Food business licence · Approval"
        assert [f.title for f in english.fields][:2] == ["Approval decision", "Food business licence number"]
    with app.test_request_context(), force_locale("zh"):
        assert form.localised(_).title == "食品经营许可 · 批准"
