"""Every text of the pages and the web's messages has English, so no Chinese-only text ships."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def test_every_ui_text_has_an_english_translation():
    with (ROOT / "app/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    texts: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map={"app/templates/**.html": {}}):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                texts.setdefault(msgid, f"{filename}:{lineno}")
    assert len(texts) > 300 and "您已退出登录。" in texts  # the extraction reads the pages and the code
    missing = {text: where for text, where in texts.items() if text not in catalog or not catalog[text].string}
    assert missing == {}, "add English to app/translations/en/LC_MESSAGES/messages.po for: " + "; ".join(
        f"{text} ({where})" for text, where in missing.items())
