"""Recorded runs of the scheduled jobs (SPEC §4), for the admin page."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workorders.jobs.history import recent_runs as _recent_runs
from workorders.jobs.models import JobRun


def recent_runs(session: Session, job: str | None = None, failed_only: bool = False,
                limit: int = 200) -> list[JobRun]:
    return _recent_runs(session, job=job or None, limit=limit, failed_only=failed_only)
