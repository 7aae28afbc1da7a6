"""The job run history admins read: one row per run, written around the job's own work."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import JobRun


def start_run(session: Session, job: str, owner: str, as_of: datetime, started_at: datetime) -> int:
    run = JobRun(job=job, owner=owner[:120], as_of=as_of, started_at=started_at)
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, finished_at: datetime, duration_ms: int,
               rows: int | None, error: str | None, note: str | None) -> None:
    run = session.get(JobRun, run_id)
    run.finished_at, run.duration_ms, run.rows = finished_at, duration_ms, rows
    run.error = error[:4000] if error else None
    run.note = note


def recent_runs(session: Session, job: str | None = None, limit: int = 50,
                failed_only: bool = False) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    if failed_only:
        query = query.where(JobRun.error.is_not(None))
    return list(session.scalars(query))
