"""Cases (办件) and the indexed rows that inboxes and the supervisor read instead of workflows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base
from engine.store.process import Power, ProcessVersion

#: The predicate of the case-limit indexes; a query must state it to use them.
CLOCK_RUNNING = "status = 'running' AND clock_paused_at IS NULL"

#: The predicate of the paused-cases index (已暂停 in the inbox and the case list).
PAUSED = "clock_paused_at IS NOT NULL"
#: The predicate of the returned-steps index (被退回 in the inbox).
RETURNED = "returned_reason IS NOT NULL"

#: The predicate of the inbox's post-queue index: a step no one in particular is assigned to.
UNCLAIMED = "assignee_id IS NULL"
#: The predicate of the inbox's assignee-queue index: any ``assignee_id = …`` implies it.
ASSIGNED = "assignee_id IS NOT NULL"

#: ``open_tasks.alert_level`` of a step whose deadline is not the department's (its timer is marked
#: ``clock = applicant`` or ``third_party``): it is shown, and moves the case when it passes, but never alerts.
NO_ALERTS = -1

#: An alert's states. Only these two exist so far; a red alert's duty (explained, rectified, closed by a
#: supervisor: DESIGN §6) adds states between them, and each move is an audit event, as closing is.
ALERT_OPEN = "open"
#: The predicate of the dashboard's index of open alerts.
OPEN_ALERT = "status = 'open'"
ALERT_CLOSED = "closed"
#: How an alert was closed: what it warned about finished before its limit, or a red alert on the same
#: subject took over from the yellow one.
CLOSED_IN_TIME = "in_time"
CLOSED_ESCALATED = "escalated"
#: The predicate of the index of red alerts whose life has not begun (engine/supervision/alert_life.py).
AWAITING_LIFE = "level = 'red' AND status = 'open' AND stage IS NULL"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    power_id: Mapped[int] = mapped_column(ForeignKey("powers.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(30))
    applicant_id_number: Mapped[str] = mapped_column(String(60))
    applicant_contact: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    end_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(50))
    completed_at: Mapped[datetime | None]
    promised_due_at: Mapped[datetime | None]
    legal_due_at: Mapped[datetime | None]
    workflow_json: Mapped[str] = mapped_column(Text)
    # Optimistic lock: a concurrent writer's UPDATE finds a different version and fails.
    version: Mapped[int] = mapped_column(default=1)
    # How far the supervisor has raised this case's limit alerts (T3): 0 none, 1 promised limit, 2 legal limit.
    limit_alert_level: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    # Set while a step that stops the legal clock is open (property clock=paused: 补正, 听证 …).
    clock_paused_at: Mapped[datetime | None]
    # When the case-level yellow warning (T1 on "case:promised") falls due; cleared once it is raised, so the
    # partial index below holds only warnings still to come. None too when there is no promised limit.
    promised_warn_at: Mapped[datetime | None]
    # Set while staff have paused (暂停) the whole case on a legal ground (engine/runtime/operations/suspension.py).
    suspended_at: Mapped[datetime | None]

    power: Mapped[Power] = relationship()
    process_version: Mapped[ProcessVersion] = relationship()

    __mapper_args__ = {"version_id_col": version}
    # Running cases whose clock runs, led by the alert level: the tick seeks straight to limits just passed.
    __table_args__ = (
        Index("ix_cases_running_promised", "limit_alert_level", "promised_due_at",
              sqlite_where=text(CLOCK_RUNNING), postgresql_where=text(CLOCK_RUNNING)),
        Index("ix_cases_running_legal", "limit_alert_level", "legal_due_at",
              sqlite_where=text(CLOCK_RUNNING), postgresql_where=text(CLOCK_RUNNING)),
        Index("ix_cases_running_warn", "limit_alert_level", "promised_warn_at",
              sqlite_where=text(CLOCK_RUNNING), postgresql_where=text(CLOCK_RUNNING)),
        # The search box of the inbox and the case list (engine/case_search.py, migration 0018): a serial's or a
        # name's beginning (pattern ops serve LIKE 'x%' on PostgreSQL in any collation), an exact ID number; the
        # case list's date range and 已暂停 filter.
        Index("ix_cases_serial_pattern", "serial", postgresql_ops={"serial": "varchar_pattern_ops"}),
        Index("ix_cases_applicant_name", "applicant_name", postgresql_ops={"applicant_name": "varchar_pattern_ops"}),
        Index("ix_cases_applicant_id_number", "applicant_id_number"),
        Index("ix_cases_created_at", "created_at", "id"),
        Index("ix_cases_paused", "department_id", "id", sqlite_where=text(PAUSED), postgresql_where=text(PAUSED)),
    )


class OpenTask(Base):
    """One row per READY user task; deleted when the task leaves READY."""

    __tablename__ = "open_tasks"
    __table_args__ = (
        Index("ix_open_tasks_post_due", "post_id", "due_at"),
        # The inbox's queues in inbox order (engine/inbox.py): a post's unclaimed steps, and each user's own
        # (with the post, so that "mine in this post" is read from the index alone). Each holds only its own
        # kind of step, so that neither database can take one for the other.
        Index("ix_open_tasks_post_queue", "post_id", "due_at", "created_at", "id",
              sqlite_where=text(UNCLAIMED), postgresql_where=text(UNCLAIMED)),
        Index("ix_open_tasks_assignee_queue", "assignee_id", "due_at", "created_at", "id", "post_id",
              sqlite_where=text(ASSIGNED), postgresql_where=text(ASSIGNED)),
        # 被退回 (migration 0018): the few returned steps, the user's own and each post's unclaimed in inbox order.
        Index("ix_open_tasks_returned", "assignee_id", "post_id", "due_at", "created_at", "id",
              sqlite_where=text(RETURNED), postgresql_where=text(RETURNED)),
        Index("ix_open_tasks_alert_warn", "alert_level", "warn_at"),
        Index("ix_open_tasks_alert_due", "alert_level", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    form: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    # 0 none, 1 yellow raised, 2 red raised: lets the supervisor's index skip what it already flagged;
    # NO_ALERTS (-1) for a deadline that is the applicant's or a third party's, which the index never seeks.
    alert_level: Mapped[int] = mapped_column(default=0)
    # Set when the step is open again because the case was returned to it (退回): the return's reason, shown in the
    # inbox and on the step; None for a step reached the normal way.
    returned_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()


class WaitingTimer(Base):
    """One row per WAITING timer event; the supervisor reads ``fire_at`` by index."""

    __tablename__ = "waiting_timers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    attached_task_id: Mapped[str | None] = mapped_column(String(36))
    attached_name: Mapped[str | None] = mapped_column(String(200))
    interrupting: Mapped[bool]
    fire_at: Mapped[datetime] = mapped_column(index=True)


class StepRecord(Base):
    """A completed step with the data and opinion submitted; append-only history of the case."""

    __tablename__ = "step_records"
    # Rule P6 counts one person's steps of one night (engine/rules/p6_after_the_fact.py; migration 0022).
    __table_args__ = (Index("ix_step_records_actor_completed", "actor", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]]


class Alert(Base):
    """A yellow or red alert, raised exactly once per (case, subject, rule); closed, never deleted."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("case_id", "subject", "rule", name="uq_alerts_once"),
        # 电子监察 lists the open alerts, newest first.
        Index("ix_alerts_status_raised", "status", "raised_at"),
        # The tick starts the life of each open red alert that has none yet (few at a time).
        Index("ix_alerts_awaiting_life", "raised_at", sqlite_where=text(AWAITING_LIFE),
              postgresql_where=text(AWAITING_LIFE)),
        # The dashboard counts the open alerts by department, power and post from this index alone.
        Index("ix_alerts_open_tally", "department_id", "power_id", "post_id", "level",
              sqlite_where=text(OPEN_ALERT), postgresql_where=text(OPEN_ALERT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    # The task id for step alerts, or e.g. "case:promised" for case-level ones.
    subject: Mapped[str] = mapped_column(String(60))
    step_name: Mapped[str | None] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime | None]
    raised_at: Mapped[datetime] = mapped_column(index=True)
    message: Mapped[str] = mapped_column(Text)
    # Values the rule's message names beyond step and deadline (e.g. P4's amount and range), for any language.
    details: Mapped[dict[str, Any] | None]
    # ALERT_OPEN until closed; then when, how (CLOSED_IN_TIME, CLOSED_ESCALATED) and by whom ("system" when
    # the platform closed it itself). The audit event alert.closed records the same.
    status: Mapped[str] = mapped_column(String(20), default=ALERT_OPEN, server_default=text("'open'"))
    closed_at: Mapped[datetime | None]
    closed_how: Mapped[str | None] = mapped_column(String(20))
    closed_by: Mapped[str | None] = mapped_column(String(50))
    # The alert's life (engine/supervision/alert_life.py): its stage between raised and closed (None: no life
    # yet), and the platform case that runs the life. ``status`` keeps its two meanings.
    stage: Mapped[str | None] = mapped_column(String(20))
    life_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    # Where the alert points, kept with it when it is raised (the case's power; the step's post for a step alert), so
    # that counting the open alerts by power and post reads no case and no step (engine/supervision/dashboard.py).
    power_id: Mapped[int | None] = mapped_column(ForeignKey("powers.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))

    case: Mapped[Case] = relationship(foreign_keys=[case_id])


class Counter(Base):
    """Sequence numbers for case serials, one row per scope (department and day)."""

    __tablename__ = "counters"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int]
