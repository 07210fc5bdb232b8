"""The one clock of the engine: timezone-aware UTC.

Tests move time with ``time_machine`` rather than patching this, because SpiffWorkflow's timer
module reads ``datetime.now(timezone.utc)`` itself and both must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current moment in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` shown in Beijing time, as users read it."""
    return moment.astimezone(LOCAL_TZ)
