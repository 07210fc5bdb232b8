"""Template filters: times are stored in UTC and shown in Beijing time."""

from __future__ import annotations

from datetime import datetime

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
        "catalog.status": _("审核状态变更"),
    }
    return labels.get(action, action)


def register(app: Flask) -> None:
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(deadline, "deadline")
    app.add_template_filter(alert_text, "alert_text")
