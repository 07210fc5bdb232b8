"""Raise yellow and red alerts exactly once per (case, subject, rule)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.store import Alert, Case

RULES: dict[str, dict[str, str]] = {
    "T1": {"level": "yellow", "zh": "「{step}」将于 {due} 到期（黄灯预警）",
           "en": "\"{step}\" is due at {due} (yellow warning)"},
    "T2": {"level": "red", "zh": "「{step}」已超过办理时限 {due}（红灯报警）",
           "en": "\"{step}\" is past its limit {due} (red alert)"},
}


def describe(alert: Alert, lang: str, due_text: str) -> str:
    """The alert's text in ``lang`` (zh or en); an alert of a rule not listed here keeps its stored text."""
    spec = RULES.get(alert.rule)
    if spec is None or lang not in spec:
        return alert.message
    return spec[lang].format(step=alert.step_name or "", due=due_text)


def raise_alert(session: Session, case: Case, *, subject: str, rule: str, step_name: str | None,
                due_at: datetime | None, at: datetime | None = None, actor: str = "supervisor") -> Alert | None:
    """Record the alert unless it already exists; returns the new alert or None."""
    exists = session.execute(
        select(Alert.id).where(Alert.case_id == case.id, Alert.subject == subject, Alert.rule == rule)
    ).first()
    if exists:
        return None
    at = at or clock.now()
    spec = RULES[rule]
    due_text = clock.deadline_text(due_at) if due_at else "-"
    alert = Alert(case_id=case.id, department_id=case.department_id, subject=subject, step_name=step_name,
                  rule=rule, level=spec["level"], due_at=due_at, raised_at=at,
                  message=spec["zh"].format(step=step_name or "", due=due_text))
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None  # another supervisor raised it first; once is enough
    audit.record(session, actor, f"alert.{alert.level}", case_id=case.id, step=step_name,
                 payload={"rule": rule, "subject": subject, "due_at": due_at}, at=at)
    return alert
