"""Template filters: times are stored in UTC and shown in Beijing time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from app.i18n import gettext as _
from app.i18n import select_locale
from engine import clock
from engine.alerts import describe as describe_alert
from engine.store import Alert


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(value).strftime(fmt) if value else "—"


def deadline(value: datetime | None) -> str:
    """A deadline at midnight Beijing time reads as 24:00 of the day before, as the law counts it."""
    return clock.deadline_text(value) if value else "—"


def alert_text(alert: Alert) -> str:
    """An alert in the reader's language (the stored text is the Chinese one, kept for the record)."""
    return describe_alert(alert, select_locale(), deadline(alert.due_at))


def _action_labels() -> dict[str, str]:
    return {
        "case.start": _("登记受理"), "task.complete": _("办理环节"), "timer.fired": _("时限到期"),
        "alert.yellow": _("黄灯预警"), "alert.red": _("红灯报警"), "case.complete": _("办结"),
        "catalog.status": _("审核状态变更"), "case.applicant_corrected": _("更正申请人信息"),
        "case.clock_paused": _("暂停计时"), "case.clock_resumed": _("恢复计时"), "alert.closed": _("预警关闭"),
        # Case operations, files and documents (their modules write these into the case's stream).
        "case.paused": _("暂停办理"), "case.resumed": _("恢复办理"), "case.returned": _("退回"),
        "case.withdrawn": _("撤回申请"), "case.terminated": _("终止办理"), "case.merged": _("并案"),
        "case.merged_into": _("并入他案"), "case.commented": _("办件备注"), "case.comment": _("办件备注"),
        "task.claimed": _("认领环节"), "task.unclaimed": _("放弃认领"), "task.handed_over": _("转办"),
        "task.reassigned": _("改派"), "task.returned": _("退回"), "task.draft_saved": _("暂存"),
        "file.uploaded": _("上传材料"), "file.downloaded": _("下载材料"), "file.locked": _("证据锁定"),
        "document.issued": _("出具法律文书"), "document.corrected": _("更正法律文书"),
        "document.printed": _("打印法律文书"), "document.downloaded": _("下载法律文书"),
        "document.template_saved": _("保存文书模板"),
        "case.viewed": _("查阅办件"),  # a supervisor opened the case (engine/supervision/scope.py)
    }


def action_label(action: str) -> str:
    """An audit action code in words (unknown codes are shown as they are)."""
    return _action_labels().get(action, action)


#: Payload keys of audit events worth showing on the case's timeline, in this order, with their labels.
def _detail_labels() -> dict[str, str]:
    return {"reason": _("理由"), "ground": _("依据"), "legal_ground": _("依据"), "to_step": _("退回至"),
            "target": _("目标"), "to": _("交由"), "assignee": _("交由"), "filename": _("文件"),
            "name": _("名称"), "material": _("材料"), "number": _("文号"), "title": _("文书"),
            "kind_title": _("文书"), "comment": _("内容"), "text": _("内容"), "sha256": "SHA-256"}


def event_details(payload: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) of the payload values of an audit event a reader of the timeline wants (reason, file, number…),
    each shown readably; other keys (ids, hashes of internal state) are left out."""
    payload = payload or {}
    out: list[tuple[str, str]] = []
    for key, label in _detail_labels().items():
        text = readable(payload.get(key))
        if text and key != "sha256":
            out.append((label, text))
        elif text:
            out.append((label, text[:12] + "…"))
    return out


def readable(value: Any, titles: dict[str, str] | None = None) -> str:
    """A stored value as a reader sees it, never as Python: yes/no as 是/否, a mapping as 「title：value」 pairs
    (titles from ``titles`` when given), a list one item after another; empty values and parts left out."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            text = readable(item)
            if text:
                parts.append(f"{(titles or {}).get(key, key)}：{text}")
        return "；".join(parts)
    if isinstance(value, (list, tuple)):
        return "、".join(t for t in (readable(item, titles) for item in value) if t)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def applicant_changes(payload: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each applicant field a ``case.applicant_corrected`` event changed."""
    labels = {"applicant_name": _("名称或姓名"), "applicant_id_type": _("证件类型"),
              "applicant_id_number": _("证件号码"), "applicant_contact": _("联系电话")}
    before, after = (payload or {}).get("before") or {}, (payload or {}).get("after") or {}
    return [(labels.get(name, name), str(before.get(name, "")), str(value)) for name, value in after.items()]


def _catalog_parts() -> dict[str, str]:
    # The parts of the catalog's structured fields (engine/catalog/text_fields.py LAYOUTS, fees), as the drafting
    # form names them.
    return {"charged": _("是否收费"), "standard": _("收费标准"), "basis": _("收费依据"), "law": _("法律法规"),
            "article": _("条款"), "text": _("条文"), "url": _("链接"), "name": _("名称"), "copies": _("份数"),
            "required": _("是否必需"), "note": _("备注"), "q": _("问题"), "a": _("回答"), "level": _("情节"),
            "description": _("具体情形"), "min_amount": _("最低金额"), "max_amount": _("最高金额")}


def catalog_value(value: Any) -> str:
    """A structured catalog value (收费, 法律依据, 申请材料 …) as labelled parts, empty parts left out."""
    return readable(value, _catalog_parts())


def register(app: Flask) -> None:
    app.add_template_filter(catalog_value, "catalog_value")
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(event_details, "event_details")
    app.add_template_filter(readable, "readable")
    app.add_template_filter(applicant_changes, "applicant_changes")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(deadline, "deadline")
    app.add_template_filter(alert_text, "alert_text")
