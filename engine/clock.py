"""The one clock of the engine: timezone-aware UTC.

Tests move time with ``time_machine`` rather than patching this, because SpiffWorkflow's timer
module reads ``datetime.now(timezone.utc)`` itself and both must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current moment in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` shown in Beijing time, as users read it."""
    return moment.astimezone(LOCAL_TZ)


def deadline_text(moment: datetime) -> str:
    """A deadline in Beijing time; midnight reads as 24:00 of the day before, as the law counts the last day."""
    shown = local(moment)
    if (shown.hour, shown.minute, shown.second) == (0, 0, 0):
        return (shown - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return shown.strftime("%Y-%m-%d %H:%M")
