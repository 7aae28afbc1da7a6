"""The official working-day calendar, one row per date, and the log of its imports."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))


class CalendarImport(Base):
    """Every change of the calendar; its newest id tells processes to reload their copy."""

    __tablename__ = "calendar_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(40))
    years: Mapped[str] = mapped_column(Text)
