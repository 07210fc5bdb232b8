"""Raise yellow and red alerts exactly once per (case, subject, rule); close them, never delete them.

An alert is open until closed. A yellow one closes itself: as what it warned about finishes in time
(``CLOSED_IN_TIME``, see ``engine/runtime/index.py``) or as the red alert on the same limit takes over
(``CLOSED_ESCALATED``, here). A red one stays open: its duty (explain, rectify, a supervisor closes it) is
later work, which adds states before ``ALERT_CLOSED`` and closes with ``close`` too. Each closing is an
``alert.closed`` audit event.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from engine import audit, clock
from engine.prepared import Batch, Prepared
from engine.store import Alert, Case, OpenTask
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
    # P1, P3, P7: engine/rules/p1_irregular_return.py, p3_legal_basis.py, p7_second_supplement.py.
    "P1": {"level": "red", "zh": "「{from}」退回至「{to}」，不在流程图规定的路径内，理由：{reason}（红灯报警）",
           "en": "Returned from \"{from}\" to \"{to}\", a return the flowchart does not allow; reason: {reason} "
                 "(red alert)"},
    "P1@returns": {"level": "red", "zh": "办件已被退回 {count} 次，超过 {limit} 次（红灯报警）",
                   "en": "The case has been returned {count} times, more than {limit} (red alert)"},
    "P3": {"level": "red", "zh": "决定环节「{step}」办结时未填写法律依据（红灯报警）",
           "en": "The decision step \"{step}\" was completed without a legal basis (red alert)"},
    "P7": {"level": "red", "zh": "同一办件已 {count} 次要求补正（「{supplement}」），违反一次性告知规定（红灯报警）",
           "en": "Supplementary materials were requested {count} times on one case (\"{supplement}\"): the one-time "
                 "notice rule is broken (red alert)"},
    # P2, P5, P6, P8, D1, D2: engine/rules/p2_evidence.py, p5_execution.py, p6_after_the_fact.py,
    # p8_missing_document.py, d1_public_fields.py, d2_catalog_deadline.py.
    "P2": {"level": "red", "zh": "决定环节「{step}」办结时缺少必需的申请材料：{names}（红灯报警）",
           "en": "The decision step \"{step}\" was completed without required materials: {names} (red alert)"},
    "P2@file": {"level": "red",
                   "zh": "证据材料「{name}」（第 {version} 版）的内容与登记的 SHA-256 不符或已丢失（红灯报警）",
                   "en": "The stored file \"{name}\" (version {version}) no longer matches its recorded SHA-256 or is "
                         "missing (red alert)"},
    "P5": {"level": "red",
           "zh": "「{step}」记录的执行金额 {paid:,} 元与决定的罚款金额 {decided:,} 元不一致（红灯报警）",
           "en": "\"{step}\" records {paid:,} yuan executed where the decision fined {decided:,} yuan (red alert)"},
    "P6@late": {"level": "red",
                "zh": "办件在申请日 {applied} 之后 {days} 个工作日才登记（超过 {limit} 个），疑为事后补录（红灯报警）",
                "en": "The case was registered {days} working days after its application date {applied} (more than "
                      "{limit}): entered after the fact? (red alert)"},
    "P6@quick": {"level": "red",
                 "zh": "整个办件 {steps} 个环节均由 {by} 一人在 {minutes} 分钟内办结，疑为体外办理后补录（红灯报警）",
                 "en": "All {steps} steps of the case were completed by {by} alone within {minutes} minutes: handled "
                       "off the system? (red alert)"},
    "P6@night": {"level": "red",
                 "zh": "{by} 于 {night} 夜间（22:00—06:00）集中办结 {count} 个环节，疑为集中补录（红灯报警）",
                 "en": "{by} completed {count} steps in the night of {night} (22:00–06:00): bulk entry after the fact? "
                       "(red alert)"},
    "P8": {"level": "red", "zh": "「{step}」已办结，但未出具{titles}（红灯报警）",
           "en": "\"{step}\" was completed without issuing {titles_en} (red alert)"},
    "D1": {"level": "red", "zh": "已公布的权力事项「{name}」（{code}）缺少应公开的要素：{names}（红灯报警）",
           "en": "The published power \"{name}\" ({code}) lacks required public fields: {names_en} (red alert)"},
    "D2": {"level": "red", "zh": "权力清单调整「{name}」{stage}超过 {days} 个工作日期限（{due}）（红灯报警）",
           "en": "The catalog change \"{name}\": {stage_en} past its {days} working-day limit ({due}) (red alert)"},
    # A staff pause (暂停) past its ground's maximum length: engine/runtime/operations/suspension.py.
    "P9": {"level": "red", "zh": "办件因「{ground}」暂停已超过最长 {days} 个工作日（{due}），仍未恢复（红灯报警）",
           "en": "The case paused for “{ground_en}” has passed its maximum of {days} working days ({due}) and is still "
                 "paused (red alert)"},
    # 督办 (engine/supervision/directives.py): the report is due within 20 working days (seed 003 第九条).
    "DB1": {"level": "yellow", "zh": "督办「{subject}」将于 {due} 到期，尚未上报（黄灯预警）",
            "en": "The directive \"{subject}\" is due at {due} and not yet reported (yellow warning)"},
    "DB2": {"level": "red", "zh": "督办「{subject}」已超过上报期限 {due}（红灯报警）",
            "en": "The directive \"{subject}\" is past its reporting deadline {due} (red alert)", "escalates": "DB1"},
    # A region's missed patrol (engine/supervision/patrols.py): a patrol_lapses row, not a case's alert.
    "W1": {"level": "red", "zh": "「{region}」未按规定频次巡查：每 {days} 个工作日至少一次，{due} 前无巡查（报警）",
           "en": "“{region}” missed its patrol duty: at least once every {days} working days, none by {due} (alert)"},
    "T3@case:promised": {"level": "red", "zh": "办件已超过承诺办结时限 {due}（红灯报警）",
                         "en": "The case is past its promised time limit {due} (red alert)", "escalates": "T1"},
    "T3@case:legal": {"level": "red", "zh": "办件已超过法定办结时限 {due}（红灯报警）",
                      "en": "The case is past its legal time limit {due} (red alert)"},
}


def _spec(rule: str, subject: str) -> dict[str, str] | None:
    # "P2@file" gives every subject "file:<id>" its message.
    return RULES.get(f"{rule}@{subject}") or RULES.get(f"{rule}@{subject.partition(':')[0]}") or RULES.get(rule)


def _text(template: str, step_name: str | None, due_text: str, details: dict[str, Any] | None) -> str:
    return template.format(**(details or {}), step=step_name or "", due=due_text)


def describe(alert: Alert, lang: str, due_text: str) -> str:
    """The alert's text in ``lang`` (zh or en); an alert of a rule not listed here keeps its stored text."""
    spec = _spec(alert.rule, alert.subject)
    if spec is None or lang not in spec:
        return alert.message
    return _text(spec[lang], alert.step_name, due_text, alert.details)


_ALERTS = Alert.__table__.c
_ALERT_MAPPER = Alert.__mapper__
# Raising is one statement: the unique index (case, subject, rule) answers "raised already?" as the row goes in,
# where a read, a savepoint and an ORM flush took four round trips. Every supported database has the clause.
_INSERT_ONCE = {
    name: Prepared(insert(Alert.__table__).on_conflict_do_nothing(index_elements=["case_id", "subject", "rule"])
                   .returning(_ALERTS.id))
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
# Closing the yellow warnings a red alert takes over finds and closes them in one statement, sent with the insert.
_CLOSE_OPEN = Prepared(
    update(Alert.__table__)
    .where(_ALERTS.case_id == bindparam("of_case"), _ALERTS.subject == bindparam("on_subject"),
           _ALERTS.rule == bindparam("warned"), _ALERTS.status == ALERT_OPEN)
    .values(status=ALERT_CLOSED, closed_at=bindparam("at"), closed_how=CLOSED_ESCALATED, closed_by=bindparam("by"))
    .returning(_ALERTS.id, _ALERTS.step_name, _ALERTS.level)
)


# Where an alert points (its case's power, its step's post), read with the insert's own transaction: one round trip,
# and only when an alert is raised, which no step's path does but by its rules.
_POWER_AND_POST = Prepared(select(
    select(Case.__table__.c.power_id).where(Case.__table__.c.id == bindparam("case_id")).scalar_subquery()
    .label("power_id"),
    select(OpenTask.__table__.c.post_id).where(OpenTask.__table__.c.id == bindparam("subject")).scalar_subquery()
    .label("post_id")))


class Alerted(Protocol):
    """What raising an alert needs of its case: a ``Case``, or a row read with its id and department."""

    @property
    def id(self) -> int: ...

    @property
    def department_id(self) -> int: ...


def raise_alert(session: Session, case: Alerted, *, subject: str, rule: str, step_name: str | None,
                due_at: datetime | None, at: datetime | None = None, actor: str = "supervisor",
                details: dict[str, Any] | None = None, writes: Batch | None = None) -> Alert | None:
    """Record the alert unless it already exists; returns the new alert or None.

    ``details`` (JSON values) are kept with the alert and fill the message's further placeholders. A red alert
    on a limit closes the open yellow warning of that limit (``escalates``). Its audit events are queued in
    ``writes`` when given (the caller flushes it), else appended at once.
    """
    at = at or clock.now()
    spec = _spec(rule, subject)
    assert spec is not None, f"alert rule {rule} has no message"
    due_text = clock.deadline_text(due_at) if due_at else "-"
    power_id, post_id = _POWER_AND_POST.first(session.connection(), {"case_id": case.id, "subject": subject})
    values: dict[str, Any] = {
        "case_id": case.id, "department_id": case.department_id, "power_id": power_id, "post_id": post_id,
        "subject": subject, "step_name": step_name,
        "rule": rule, "level": spec["level"], "due_at": due_at, "raised_at": at, "details": details,
        "message": _text(spec["zh"], step_name, due_text, details), "status": ALERT_OPEN}
    warned = spec.get("escalates")
    alert_id, closed = _insert_and_close(session, values, warned)
    if alert_id is None:
        return None  # raised before (by this rule's earlier tick, or another supervisor just now): once is enough
    payload: dict[str, Any] = {"rule": rule, "subject": subject, "due_at": due_at}
    if details:
        payload["details"] = details
    _audit(session, writes, actor, f"alert.{spec['level']}", case_id=case.id, step=step_name, payload=payload, at=at)
    for row in closed:
        _audit(session, writes, SYSTEM, "alert.closed", case_id=case.id, step=row.step_name, at=at,
               payload={"alert": row.id, "rule": warned, "subject": subject, "level": row.level,
                        "how": CLOSED_ESCALATED})
    return _persistent(session, alert_id, values)


def _insert_and_close(session: Session, values: dict[str, Any], warned: str | None) -> tuple[int | None, list[Any]]:
    """Insert the alert unless it exists (its id, or None), and close the open ``warned`` alerts of its case and
    subject that it takes over (their rows): on PostgreSQL both in one round trip.

    A red alert that existed already closed them when it was raised, so closing whatever is open either way is
    the same as closing only after a new one.
    """
    conn = session.connection()
    insert = _INSERT_ONCE[conn.dialect.name]
    if warned is None:
        return insert.scalar(conn, values), []
    if any(isinstance(obj, Alert) for obj in session.dirty):
        session.flush()  # an alert changed in this session and not yet written must not be closed twice
    dbapi: Any = conn.connection.dbapi_connection
    inserting, closing = dbapi.cursor(), dbapi.cursor()
    with dbapi.pipeline() if conn.dialect.name == "postgresql" else nullcontext():
        insert.send(inserting, conn.dialect, values)
        close_rows = _CLOSE_OPEN.send(closing, conn.dialect, {
            "of_case": values["case_id"], "on_subject": values["subject"], "warned": warned,
            "at": values["raised_at"], "by": SYSTEM})
    raised = inserting.fetchone()
    closed = [close_rows.make_row(closing, raw) for raw in closing.fetchall()]
    for row in closed:
        loaded = session.identity_map.get(session.identity_key(Alert, row.id))
        if loaded is not None:  # keep an alert this session holds in step with its row
            session.expire(loaded)
    return (None if raised is None else raised[0]), closed


def _persistent(session: Session, alert_id: int, values: dict[str, Any]) -> Alert:
    """The row just inserted as a persistent ``Alert`` of the session, without reading it back."""
    # As ``make_transient_to_detached`` would make ``Alert(**values)``, without the constructor's attribute event
    # for every column (most of the cost): every column goes in as loaded.
    alert = _ALERT_MAPPER.class_manager.new_instance()
    state = instance_state(alert)
    state.dict.update(values, id=alert_id, closed_at=None, closed_how=None, closed_by=None, stage=None,
                      life_case_id=None)
    state.key = _ALERT_MAPPER.identity_key_from_primary_key((alert_id,))
    session.add(alert)
    return alert


def _audit(session: Session, writes: Batch | None, actor: str, action: str, **event: Any) -> None:
    if writes is None:
        audit.record(session, actor, action, **event)
    else:
        audit.queue(session, writes, actor, action, **event)


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
    _audit(session, writes, actor, "alert.closed", case_id=alert.case_id, step=alert.step_name, payload=payload,
           at=at)
