"""Characters a person cannot see, refused in the names and texts the platform stores and lists.

A right-to-left override (U+202E) makes 「张\u202eRTL」 display as something else in every list that shows it; a
zero-width space makes two names that look alike differ (or two different ones look alike); a NUL byte is
refused by PostgreSQL in any text. So text a person types is checked, and refused with the character named,
rather than silently cleaned: the person sees what was wrong and types it again, and nothing they entered is
changed behind their back.

- **Single-line text** (names, ID numbers, telephone numbers, a case's subject, one-line form fields, catalog
  names): no control character (Unicode category Cc, NUL and line breaks included), no format character (Cf:
  bidirectional controls, zero-width characters, the byte-order mark, soft hyphen, tag characters …), no line or
  paragraph separator (Zl, Zp), no lone surrogate (Cs).
- **Multi-line text** (opinions, reasons, descriptions): the same, except that tab, line feed and carriage return
  are the text's own line breaks.

Private-use characters stay allowed: Chinese registration systems encode rare characters of personal names there
(造字). Variation selectors (Mn) stay allowed too: they pick the right glyph of a rare name character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LINE_BREAKS = "\t\n\r"
#: Chinese names of the characters people meet most (the Unicode name is given with them in either language).
_ZH_NAMES = {
    0x0000: "空字符", 0x0009: "制表符", 0x000A: "换行符", 0x000D: "回车符", 0x001B: "转义符", 0x007F: "删除符",
    0x00AD: "软连字符", 0x061C: "阿拉伯文字母标记", 0x180E: "蒙古文元音分隔符",
    0x200B: "零宽空格", 0x200C: "零宽不连字", 0x200D: "零宽连字", 0x200E: "从左至右标记", 0x200F: "从右至左标记",
    0x202A: "从左至右嵌入", 0x202B: "从右至左嵌入", 0x202C: "方向格式结束", 0x202D: "从左至右强制",
    0x202E: "从右至左强制", 0x2028: "行分隔符", 0x2029: "段分隔符", 0x2060: "字连接符",
    0x2066: "从左至右隔离", 0x2067: "从右至左隔离", 0x2068: "首强字符隔离", 0x2069: "方向隔离结束",
    0xFEFF: "零宽不换行空格（字节顺序标记）",
}
_CONTROL_NAMES = {0x0000: "NULL", 0x0009: "CHARACTER TABULATION", 0x000A: "LINE FEED", 0x000D: "CARRIAGE RETURN",
                  0x001B: "ESCAPE", 0x007F: "DELETE"}
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Everything below U+0080 that is fine (printable ASCII) and the common CJK ranges: a fast path for most text.
_PLAIN = re.compile(r"[\x20-\x7e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]*")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Invisible:
    """The first refused character of a text: its code point and names."""

    char: str

    @property
    def code(self) -> str:
        """``U+202E``."""
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        """The Unicode name (``RIGHT-TO-LEFT OVERRIDE``), or what kind of character it is when it has none."""
        point = ord(self.char)
        if point in _CONTROL_NAMES:
            return _CONTROL_NAMES[point]
        category = unicodedata.category(self.char)
        if category == "Cs":
            return "UNPAIRED SURROGATE"
        return unicodedata.name(self.char, "CONTROL CHARACTER" if category == "Cc" else "FORMAT CHARACTER")

    def describe(self, lang: str = "zh") -> str:
        """``U+202E RIGHT-TO-LEFT OVERRIDE（从右至左强制）``, or without the Chinese name in English."""
        label = f"{self.code} {self.name}"
        if lang == "en":
            return label
        return f"{label}（{_ZH_NAMES.get(ord(self.char), '不可见字符')}）"

    def message(self, lang: str = "zh") -> str:
        """The field message refusing the text, naming the character."""
        if lang == "en":
            return f"Contains an invisible character, {self.describe('en')}: delete it and type the text again."
        return f"含有不可见字符 {self.describe('zh')}，请删除后重新输入。"


def invisible(text: str, *, multiline: bool = False) -> Invisible | None:
    """The first character of ``text`` that single-line (or, with ``multiline``, multi-line) text refuses."""
    if _PLAIN.fullmatch(text):
        return None
    for char in text:
        if multiline and char in _LINE_BREAKS:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return Invisible(char)
    return None


def lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a UTF-16 surrogate pair, which no UTF-8 text (nor the database) can hold."""
    return _SURROGATE.search(text) is not None


class InvisibleText(ValueError):
    """A name or text refused for a character its reader cannot see; ``message(lang)`` names it and the field."""

    def __init__(self, field: str, found: Invisible) -> None:
        self.field, self.found = field, found
        super().__init__(f"{field}: {found.message('en')}")

    def message(self, lang: str = "zh") -> str:
        return f"{self.field}{': ' if lang == 'en' else '：'}{self.found.message(lang)}"


def require_visible(field: str, text: str, *, multiline: bool = False) -> None:
    """Raise ``InvisibleText`` when ``text`` (the value of ``field``) holds a refused character."""
    if (found := invisible(text, multiline=multiline)) is not None:
        raise InvisibleText(field, found)
