"""The template language: plain text with ``{{名称}}`` placeholders, and nothing else.

Templates are written by the legal office in the browser, so they are data, never code: no expression is
evaluated, no attribute is looked up, no loop or condition runs. A placeholder names either a field of the case
(Chinese names: ``{{申请人}}``, ``{{文号}}`` …, ``CASE_FIELDS``) or a value a step submitted, by its form field
name (``{{legal_basis}}``, ``{{fine_amount}}``). A name that is neither is refused when the template is saved. A
list (``{{缺少材料}}``) becomes numbered lines when its placeholder stands alone on a line, else items joined by
「；」. A value the case does not have yet prints as a blank to fill in by hand (``BLANK``).

Two line marks lay out the page: a line starting with ``[居中]`` is centred, one starting with ``[右]`` is set
flush right (the issuing authority and date under the text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]{1,60})\s*\}\}")
FORM_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BLANK = "________"
CENTRE, RIGHT = "[居中]", "[右]"

#: Fields of the case and of the document itself, by their Chinese names, with what they hold (a msgid).
CASE_FIELDS: dict[str, str] = {
    "文号": "本文书的文号",
    "发文机关": "签发本文书的部门",
    "签发日期": "签发日期（北京时间）",
    "办件编号": "办件流水号",
    "事项名称": "权力事项名称",
    "权力编码": "权力事项编码",
    "办件事由": "办件事由（案由）",
    "申请人": "申请人（行政相对人）",
    "当事人": "当事人（处罚案件的行政相对人）",
    "证件类型": "申请人证件类型",
    "证件号码": "申请人证件号码",
    "联系电话": "申请人联系电话",
    "受理日期": "办件登记日期",
    "承诺办结日期": "承诺时限届满日",
    "法定办结日期": "法定时限届满日",
    "缺少材料": "各环节标为未提交的材料及需补正材料清单（逐项列出）",
    "送达文书": "本办件已签发的文书及文号（逐项列出）",
    "原文号": "更正文书所更正的原文书文号",
    "更正理由": "更正文书的更正理由",
}


@dataclass(frozen=True)
class Line:
    text: str
    align: str  # "L" | "C" | "R"


def names_in(body: str) -> list[str]:
    """The placeholder names ``body`` uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(body):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_names(body: str, form_fields: Iterable[str]) -> list[str]:
    """Placeholders that name neither a case field nor a form field (a typo, usually)."""
    known = set(form_fields)
    return [n for n in names_in(body) if n not in CASE_FIELDS and not (FORM_FIELD.match(n) and n in known)]


def unbalanced(body: str) -> bool:
    """True when braces are left over once the placeholders are taken out (``{{申请人}`` …)."""
    rest = PLACEHOLDER.sub("", body)
    return "{{" in rest or "}}" in rest


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(_text(v) for v in value)
    return str(value)


def fill(body: str, values: Mapping[str, Any]) -> list[Line]:
    """The template's lines with every placeholder replaced by its value (text only, never evaluated)."""
    out: list[Line] = []
    for raw in body.replace("\r\n", "\n").split("\n"):
        align, line = "L", raw
        if line.startswith(CENTRE):
            align, line = "C", line[len(CENTRE):]
        elif line.startswith(RIGHT):
            align, line = "R", line[len(RIGHT):]
        alone = PLACEHOLDER.fullmatch(line.strip())
        if alone and isinstance(values.get(alone.group(1)), list) and values[alone.group(1)]:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(Line(f"{indent}{i}. {_text(item)}", align)
                       for i, item in enumerate(values[alone.group(1)], start=1))
            continue
        out.append(Line(PLACEHOLDER.sub(lambda m: _text(values.get(m.group(1))), line), align))
    return out


def plain(lines: Iterable[Line]) -> str:
    """The filled text as stored beside the PDF (and searched, and shown)."""
    return "\n".join(line.text for line in lines)
