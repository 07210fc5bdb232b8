"""Structured catalog fields as plain lines a clerk can type: one item per line, parts separated by ``|``.

法律依据  《法律》|第X条|条文摘要|链接      申请材料  名称|份数|是否必需(是/否)|备注
常见问题  问题|回答                        服务表格  名称|链接
自由裁量基准  情节|具体情形|最低金额|最高金额
"""

from __future__ import annotations

from typing import Any

LAYOUTS: dict[str, tuple[str, ...]] = {
    "basis": ("law", "article", "text", "url"),
    "materials": ("name", "copies", "required", "note"),
    "faq": ("q", "a"),
    "forms": ("name", "url"),
    "discretion": ("level", "description", "min_amount", "max_amount"),
}
YES = {"是", "必需", "必须", "yes", "y", "true", "1"}


def to_text(kind: str, value: Any) -> str:
    """The field's value as editable lines."""
    if kind in LAYOUTS and isinstance(value, list):
        keys = LAYOUTS[kind]
        lines = []
        for item in value:
            parts = []
            for k in keys:
                v = item.get(k, "")
                parts.append(("是" if v else "否") if k == "required" else ("" if v is None else str(v)))
            lines.append("|".join(parts).rstrip("|"))
        return "\n".join(lines)
    if kind == "kinds" and isinstance(value, list):
        return "\n".join(value)
    return "" if value is None else str(value)


def _number(text: str) -> int | float:
    value = float(text.replace(",", "").replace("，", "").strip())
    return int(value) if value.is_integer() else value


def from_text(kind: str, text: str) -> tuple[Any, str | None]:
    """Parse typed lines back; returns (value, None) or (None, problem code) naming the first bad line."""
    lines = [ln.strip() for ln in (text or "").replace("｜", "|").splitlines() if ln.strip()]
    if kind == "kinds":
        return lines, None
    keys = LAYOUTS[kind]
    items = []
    for number, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > len(keys):
            return None, f"line {number}: too many parts"
        row: dict[str, Any] = dict(zip(keys, parts + [""] * (len(keys) - len(parts)), strict=True))
        try:
            if kind == "materials":
                row["copies"] = int(row["copies"] or 1)
                row["required"] = row["required"].lower() in YES if row["required"] else True
            if kind == "discretion":
                row["min_amount"] = _number(row["min_amount"] or "0")
                row["max_amount"] = _number(row["max_amount"])
        except ValueError:
            return None, f"line {number}: number expected"
        if not row[keys[0]]:
            return None, f"line {number}: first part empty"
        items.append(row)
    return items, None
