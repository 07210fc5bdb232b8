"""The case list as an Excel workbook (办件导出), for a department head: every case the filters select.

At most ``EXPORT_MAX`` cases go into one workbook; a selection larger than that is refused with a message (narrow
the dates, the power or the state), never cut silently. ID numbers are masked (``mask_id``) unless the exporting
user's role lets them read them (``UNMASKED_ROLES``). The workbook holds personal data, so each export is an audit
event (``cases.exported``: who, the filters, how many rows, masked or not).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import audit, clock
from engine.case_list import CaseFilter, CaseRow, all_cases
from engine.store import User
from engine.workbook import sheet_bytes

#: The most cases one workbook holds (a year of a busy department); more is refused, with a message.
EXPORT_MAX = 20000
#: Who reads ID numbers in full in an export; everyone else gets them masked.
UNMASKED_ROLES = ("supervisor", "admin")

#: The columns, in Chinese as the workbook is read; ``STATE_NAMES`` the 状态 column's words.
COLUMNS = ["办件流水号", "事项", "事由", "申请人", "证件类型", "证件号码", "受理时间", "状态", "承诺期限", "法定期限",
           "办结时间", "办结结果"]
STATE_NAMES = {"running": "办理中", "completed": "已办结", "overdue": "已超期", "paused": "已暂停"}


class ExportTooLarge(Exception):
    """More than ``limit`` (``EXPORT_MAX``) cases selected."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int
    masked: bool


def mask_id(number: str) -> str:
    """``110***********1234``: the first three and last four characters kept (the first and last of a short one)."""
    if len(number) <= 4:
        return "*" * len(number)
    keep_head, keep_tail = (3, 4) if len(number) > 8 else (1, 1)
    return number[:keep_head] + "*" * (len(number) - keep_head - keep_tail) + number[-keep_tail:]


def _local(moment: datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _line(row: CaseRow, now: datetime, masked: bool) -> list[Any]:
    return [row.serial, row.power, row.subject, row.applicant_name, row.applicant_id_type,
            mask_id(row.applicant_id_number) if masked else row.applicant_id_number, _local(row.created_at),
            STATE_NAMES[row.state(now)], _local(row.promised_due_at), _local(row.legal_due_at),
            _local(row.completed_at), row.end_name or ""]


def export_cases(session: Session, user: User, f: CaseFilter) -> Export:
    """The workbook of every case ``f`` selects that ``user`` may see, and its audit event, in ``session``'s
    transaction (the caller commits). ``ExportTooLarge`` above ``EXPORT_MAX``; ``TooManyMatches`` for a search
    that finds too many."""
    now = clock.now()
    rows = list(all_cases(session, user, f, EXPORT_MAX + 1))
    if len(rows) > EXPORT_MAX:
        raise ExportTooLarge(EXPORT_MAX)
    masked = not user.has_role(*UNMASKED_ROLES)
    data = sheet_bytes("办件", COLUMNS, (_line(row, now, masked) for row in rows))
    filters = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(f).items() if v}
    audit.record(session, user.username, "cases.exported",
                 payload={"filters": filters, "rows": len(rows), "masked": masked})
    return Export(data, len(rows), masked)
