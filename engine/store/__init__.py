"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from engine.store.audit import AuditEvent, AuditHead
from engine.store.base import Base
from engine.store.calendar import CalendarDay, CalendarYear
from engine.store.case import Alert, Case, Counter, OpenTask, StepRecord, WaitingTimer
from engine.store.catalog import CatalogChange, PowerSearchTerm, PowerVersion
from engine.store.identity import ROLES, Department, Membership, Post, Region, User, UserRole
from engine.store.process import Power, ProcessVersion
from engine.store.signin import SignInAttempt

__all__ = [
    "ROLES", "Alert", "AuditEvent", "AuditHead", "Base", "CalendarDay", "CalendarYear", "Case", "CatalogChange",
    "Counter", "PowerSearchTerm", "PowerVersion",
    "Department", "Membership", "OpenTask", "Post", "Power", "ProcessVersion", "Region", "SignInAttempt", "StepRecord",
    "User", "UserRole", "WaitingTimer",
]
