"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from engine.store.audit import AuditCheckpoint, AuditEvent
from engine.store.base import Base
from engine.store.calendar import CalendarDay, CalendarYear
from engine.store.case import Alert, Case, Counter, OpenTask, StepRecord, WaitingTimer
from engine.store.catalog import CatalogChange, PowerSearchTerm, PowerVersion
from engine.store.identity import ROLES, Department, Membership, Post, Region, User, UserRole
from engine.store.process import Power, ProcessVersion
from engine.store.signin import SignInAttempt
from engine.store.web_session import WebSession

# Modules of the staff workspace register their tables too (their models are imported from the module itself).
from engine.store import documents, files, operations  # noqa: E402, F401  isort: skip
from engine.store import alert_life, oversight, reports  # noqa: E402, F401  isort: skip

__all__ = [
    "ROLES", "Alert", "AuditCheckpoint", "AuditEvent", "Base", "CalendarDay", "CalendarYear", "Case", "CatalogChange",
    "Counter", "PowerSearchTerm", "PowerVersion",
    "Department", "Membership", "OpenTask", "Post", "Power", "ProcessVersion", "Region", "SignInAttempt", "StepRecord",
    "User", "UserRole", "WaitingTimer", "WebSession",
]
