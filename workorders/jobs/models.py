"""The scheduler's own tables: the lease that lets one process run jobs, and the run history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, WorkOrder

SCHEDULER_LEASE = "scheduler"


class SchedulerLease(Base):
    """Who runs the jobs, until when. Taken with one conditional UPDATE, renewed while running;
    another process takes it over once `expires_at` has passed (a killed holder renews no more)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(120))
    acquired_at: Mapped[datetime | None]
    renewed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class JobRun(Base):
    """One run of one job, shown to admins. A run whose process died has no `finished_at`."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started_at", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(120))
    # The hotline's clock (frozen or shifted in demos) the job ran as of; the others are real time.
    as_of: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class JobMark(Base):
    """How far a day-by-day job has got (the daily roll-up), so a missed day is caught up."""

    __tablename__ = "job_marks"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date)


# The provisional-deadline job reads only flagged orders; without this it would scan them all.
# Partial: it holds only the few flagged orders, and an update of any other order never touches it.
_provisional = WorkOrder.__table__.c.provisional
Index("ix_work_orders_provisional", _provisional,
      postgresql_where=_provisional.is_(True), sqlite_where=_provisional.is_(True))
