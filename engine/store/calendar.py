"""The official working-day calendar as stored rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base


class CalendarDay(Base):
    """A day that differs from the Monday–Friday rule: a holiday on a weekday or a make-up workday."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime]


class CalendarYear(Base):
    """A year whose official schedule (State Council notice) is loaded."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime]
