"""Template filters: times are stored in UTC and shown in Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask_babel import gettext as _

from engine import clock


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(value).strftime(fmt) if value else "—"


def deadline(value: datetime | None) -> str:
    """A deadline at midnight Beijing time reads as 24:00 of the day before, as the law counts it."""
    if not value:
        return "—"
    shown = clock.local(value)
    if (shown.hour, shown.minute, shown.second) == (0, 0, 0):
        return (shown - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return shown.strftime("%Y-%m-%d %H:%M")


def action_label(action: str) -> str:
    """An audit action code in words (unknown codes are shown as they are)."""
    labels = {
        "case.start": _("登记受理"), "task.complete": _("办理环节"), "timer.fired": _("时限到期"),
        "alert.yellow": _("黄灯预警"), "alert.red": _("红灯报警"), "case.complete": _("办结"),
        "catalog.status": _("审核状态变更"),
    }
    return labels.get(action, action)


def register(app: Flask) -> None:
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(deadline, "deadline")
