"""Template filters: times are stored in UTC and shown in Beijing time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

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
    return describe_alert(alert, str(get_locale() or "zh"), deadline(alert.due_at))


def action_label(action: str) -> str:
    """An audit action code in words (unknown codes are shown as they are)."""
    labels = {
        "case.start": _("登记受理"), "task.complete": _("办理环节"), "timer.fired": _("时限到期"),
        "alert.yellow": _("黄灯预警"), "alert.red": _("红灯报警"), "case.complete": _("办结"),
        "catalog.status": _("审核状态变更"), "case.applicant_corrected": _("更正申请人信息"),
        "case.clock_paused": _("暂停计时"), "case.clock_resumed": _("恢复计时"), "alert.closed": _("预警关闭"),
    }
    return labels.get(action, action)


def applicant_changes(payload: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each applicant field a ``case.applicant_corrected`` event changed."""
    labels = {"applicant_name": _("名称或姓名"), "applicant_id_type": _("证件类型"),
              "applicant_id_number": _("证件号码"), "applicant_contact": _("联系电话")}
    before, after = (payload or {}).get("before") or {}, (payload or {}).get("after") or {}
    return [(labels.get(name, name), str(before.get(name, "")), str(value)) for name, value in after.items()]


def register(app: Flask) -> None:
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(applicant_changes, "applicant_changes")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(deadline, "deadline")
    app.add_template_filter(alert_text, "alert_text")
