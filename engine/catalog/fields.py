"""Every public field of a power, and which ones each category must fill (seed 000 第十四条, seed 003 第十六条).

This table is the single source of truth for the drafting form, the completeness check (rule D1), the public
page, and the export/import columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CATEGORIES: dict[str, tuple[str, str, str]] = {
    # key: (中文, English, code letters used in power codes)
    "license": ("行政许可", "Administrative licence", "XK"),
    "penalty": ("行政处罚", "Administrative penalty", "CF"),
    "levy": ("行政征收", "Administrative levy", "ZS"),
    "enforcement": ("行政强制", "Administrative enforcement", "QZ"),
    "confirmation": ("行政确认", "Administrative confirmation", "QR"),
    "adjudication": ("行政裁决", "Administrative adjudication", "CJ"),
    "benefit": ("行政给付", "Administrative benefit", "GF"),
    "reward": ("行政奖励", "Administrative reward", "JL"),
    "requisition": ("行政征用", "Administrative requisition", "ZY"),
    "inspection": ("行政检查", "Administrative inspection", "JC"),
    "other": ("其他行政权力", "Other administrative power", "QT"),
}

ALL = frozenset(CATEGORIES)
SERVICE = frozenset({"license", "confirmation", "adjudication", "benefit", "reward", "other"})


@dataclass(frozen=True)
class FieldDef:
    key: str
    zh: str
    en: str
    # text | longtext | int | url | phone | bool | basis | materials | fees | faq | forms | kinds | discretion
    kind: str
    required_for: frozenset[str] = frozenset()
    public: bool = True

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


FIELDS: tuple[FieldDef, ...] = (
    FieldDef("name", "事项名称", "Name", "text", ALL),
    FieldDef("code", "权力编码", "Code", "text", ALL),
    FieldDef("category", "权力类别", "Category", "text", ALL),
    FieldDef("department", "办理部门", "Department", "text", ALL),
    FieldDef("implementing_body", "实施主体", "Implementing body", "text", ALL),
    FieldDef("legal_basis", "法律依据", "Legal basis", "basis", ALL),
    FieldDef("conditions", "受理条件", "Conditions", "longtext", SERVICE),
    FieldDef("materials", "申请材料", "Materials", "materials", SERVICE),
    FieldDef("fees", "是否收费及标准", "Fees", "fees", SERVICE | {"levy"}),
    FieldDef("legal_limit_days", "法定时限（工作日）", "Legal limit (working days)", "int", SERVICE | {"penalty"}),
    FieldDef("promised_limit_days", "承诺时限（工作日）", "Promised limit (working days)", "int", SERVICE),
    FieldDef("place", "办理地点", "Place", "text", SERVICE | {"penalty", "levy", "enforcement"}),
    FieldDef("phone", "联系电话", "Phone", "phone", SERVICE),
    FieldDef("supervision_phone", "监督电话", "Supervision phone", "phone", ALL),
    FieldDef("online_url", "在线办理链接", "Online handling link", "url", frozenset({"license"})),
    FieldDef("service_guide", "服务指南", "Service guide", "longtext", frozenset({"license"})),
    FieldDef("forms", "服务表格", "Forms", "forms", frozenset({"license"})),
    FieldDef("faq", "常见问题解答", "FAQ", "faq", frozenset({"license"})),
    FieldDef("rights_channels", "相对人维权渠道", "Rights-protection channels", "longtext", ALL),
    FieldDef("procedure", "办理程序（处罚/征收/强制程序）", "Procedure", "longtext",
             frozenset({"penalty", "levy", "enforcement"})),
    FieldDef("levy_standard", "征收标准", "Levy standard", "longtext", frozenset({"levy"})),
    FieldDef("penalty_kinds", "处罚种类", "Penalty kinds", "kinds", frozenset({"penalty"})),
    FieldDef("discretion_standard", "自由裁量基准", "Discretion standard", "discretion", frozenset({"penalty"})),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FLOWCHART_LABELS = {"internal": ("内部流程图", "Internal flowchart"), "external": ("外部流程图（办理流程图）",
                                                                              "External flowchart")}

# 行政处罚法 第九条
PENALTY_KINDS = ["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                 "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他"]
CIRCUMSTANCE_LEVELS = ["轻微", "一般", "较重", "严重"]


def _filled(kind: str, value: Any) -> bool:
    if value is None:
        return False
    if kind in ("text", "longtext", "url", "phone"):
        return bool(str(value).strip())
    if kind == "int":
        return isinstance(value, int) and value > 0
    if kind == "fees":
        return isinstance(value, dict) and "charged" in value and (not value["charged"] or bool(value.get("standard")))
    if kind == "discretion":
        return isinstance(value, list) and bool(value) and all(
            isinstance(r, dict) and r.get("level") and r.get("max_amount") is not None for r in value)
    if kind == "basis":
        return isinstance(value, list) and any(isinstance(b, dict) and b.get("law") for b in value)
    if isinstance(value, (list, dict)):
        return bool(value)
    return bool(value)


# Fields that only make sense for some categories; every other field may be filled in for any category.
ONLY_FOR: dict[str, frozenset[str]] = {
    "procedure": frozenset({"penalty", "levy", "enforcement", "inspection", "requisition"}),
    "levy_standard": frozenset({"levy"}),
    "penalty_kinds": frozenset({"penalty"}),
    "discretion_standard": frozenset({"penalty", "levy", "benefit", "reward"}),
}


def relevant_fields(category: str) -> list[FieldDef]:
    """The fields a drafting form shows for ``category``: its required ones and the generally useful ones."""
    return [f for f in FIELDS if category in f.required_for or category in ONLY_FOR.get(f.key, ALL)]


def required_fields(category: str) -> list[FieldDef]:
    """The fields a power of ``category`` must publish."""
    return [f for f in FIELDS if category in f.required_for]


def missing_fields(category: str, values: dict[str, Any], *, has_external_flowchart: bool = True) -> list[str]:
    """Keys of required public fields that are empty (rule D1); ``external_flowchart`` too for licences."""
    missing = [f.key for f in required_fields(category) if not _filled(f.kind, values.get(f.key))]
    if category == "license" and not has_external_flowchart:
        missing.append("external_flowchart")
    return missing
