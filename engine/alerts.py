"""Raise yellow and red alerts exactly once per (case, subject, rule); close them, never delete them.

An alert is open until closed. A yellow one closes itself: as what it warned about finishes in time
(``CLOSED_IN_TIME``, see ``engine/runtime/index.py``) or as the red alert on the same limit takes over
(``CLOSED_ESCALATED``, here). A red one stays open: its duty (explain, rectify, a supervisor closes it) is
later work, which adds states before ``ALERT_CLOSED`` and closes with ``close`` too. Each closing is an
``alert.closed`` audit event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.prepared import Batch
from engine.store import Alert, Case
from engine.store.case import ALERT_CLOSED, ALERT_OPEN, CLOSED_ESCALATED

#: Who closes an alert the platform closes by itself.
SYSTEM = "system"

#: Each rule's level and message. A key "RULE@SUBJECT" gives a rule a different message for one subject (e.g. a
#: case-level rule's "case:promised"); messages may name {step}, {due} and any key of the alert's ``details``.
#: "escalates" names the yellow rule whose open alert on the same subject a red alert of this rule closes.
RULES: dict[str, dict[str, str]] = {
    "T1": {"level": "yellow", "zh": "「{step}」将于 {due} 到期（黄灯预警）",
           "en": "\"{step}\" is due at {due} (yellow warning)"},
    "T1@case:promised": {"level": "yellow", "zh": "办件将于 {due} 到达承诺办结时限（黄灯预警）",
                         "en": "The case reaches its promised time limit at {due} (yellow warning)"},
    "T2": {"level": "red", "zh": "「{step}」已超过办理时限 {due}（红灯报警）",
           "en": "\"{step}\" is past its limit {due} (red alert)", "escalates": "T1"},
    # P4's details carry numbers (amount, low, high) so each language formats them; see engine/rules/p4_discretion.
    "P4": {"level": "red",
           "zh": "「{step}」违法情节「{circumstance}」罚款 {amount:,} 元，"
                 "超出自由裁量基准 {low:,}–{high:,} 元（红灯报警）",
           "en": "\"{step}\": a fine of {amount:,} yuan for circumstance \"{circumstance}\" is outside the discretion "
                 "standard's {low:,}–{high:,} yuan (red alert)"},
    "T3@case:promised": {"level": "red", "zh": "办件已超过承诺办结时限 {due}（红灯报警）",
                         "en": "The case is past its promised time limit {due} (red alert)", "escalates": "T1"},
    "T3@case:legal": {"level": "red", "zh": "办件已超过法定办结时限 {due}（红灯报警）",
                      "en": "The case is past its legal time limit {due} (red alert)"},
}


def _spec(rule: str, subject: str) -> dict[str, str] | None:
    return RULES.get(f"{rule}@{subject}") or RULES.get(rule)


def _text(template: str, step_name: str | None, due_text: str, details: dict[str, Any] | None) -> str:
    return template.format(**(details or {}), step=step_name or "", due=due_text)


def describe(alert: Alert, lang: str, due_text: str) -> str:
    """The alert's text in ``lang`` (zh or en); an alert of a rule not listed here keeps its stored text."""
    spec = _spec(alert.rule, alert.subject)
    if spec is None or lang not in spec:
        return alert.message
    return _text(spec[lang], alert.step_name, due_text, alert.details)


def raise_alert(session: Session, case: Case, *, subject: str, rule: str, step_name: str | None,
                due_at: datetime | None, at: datetime | None = None, actor: str = "supervisor",
                details: dict[str, Any] | None = None) -> Alert | None:
    """Record the alert unless it already exists; returns the new alert or None.

    ``details`` (JSON values) are kept with the alert and fill the message's further placeholders. A red alert
    on a limit closes the open yellow warning of that limit (``escalates``).
    """
    exists = session.execute(
        select(Alert.id).where(Alert.case_id == case.id, Alert.subject == subject, Alert.rule == rule)
    ).first()
    if exists:
        return None
    at = at or clock.now()
    spec = _spec(rule, subject)
    assert spec is not None, f"alert rule {rule} has no message"
    due_text = clock.deadline_text(due_at) if due_at else "-"
    alert = Alert(case_id=case.id, department_id=case.department_id, subject=subject, step_name=step_name,
                  rule=rule, level=spec["level"], due_at=due_at, raised_at=at, details=details,
                  message=_text(spec["zh"], step_name, due_text, details), status=ALERT_OPEN)
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None  # another supervisor raised it first; once is enough
    payload: dict[str, Any] = {"rule": rule, "subject": subject, "due_at": due_at}
    if details:
        payload["details"] = details
    audit.record(session, actor, f"alert.{alert.level}", case_id=case.id, step=step_name, payload=payload, at=at)
    if warned := spec.get("escalates"):
        for yellow in open_alerts(session, case.id, [subject], warned):
            close(session, yellow, CLOSED_ESCALATED, at=at)
    return alert


def open_alerts(session: Session, case_id: int, subjects: list[str], rule: str) -> list[Alert]:
    """The case's open alerts of ``rule`` on any of ``subjects``."""
    if not subjects:
        return []
    return list(session.execute(select(Alert).where(
        Alert.case_id == case_id, Alert.subject.in_(subjects), Alert.rule == rule, Alert.status == ALERT_OPEN,
    ).order_by(Alert.id)).scalars())


def close(session: Session, alert: Alert, how: str, *, at: datetime, actor: str = SYSTEM,
          writes: Batch | None = None) -> None:
    """Close an open alert and record it as an ``alert.closed`` event (queued in ``writes`` when given)."""
    alert.status, alert.closed_at, alert.closed_how, alert.closed_by = ALERT_CLOSED, at, how, actor
    payload = {"alert": alert.id, "rule": alert.rule, "subject": alert.subject, "level": alert.level, "how": how}
    if writes is None:
        audit.record(session, actor, "alert.closed", case_id=alert.case_id, step=alert.step_name, payload=payload,
                     at=at)
    else:
        audit.queue(session, writes, actor, "alert.closed", case_id=alert.case_id, step=alert.step_name,
                    payload=payload, at=at)
