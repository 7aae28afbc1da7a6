"""Quality inspection (质检) in the app: the pages and the weekly sample job.

Rules: `workorders.quality`. Job `quality_sample` (daily) draws the sample of the week before
(HOTLINE_QUALITY_SAMPLE_PERCENT, default 2, per agent, at least one order each); a week whose
sample is drawn is left alone, so the job is safe to run twice.
"""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

from workorders.quality.operations import SAMPLE_PERCENT


def init_app(app: Flask) -> None:
    from workorders.deadlines import local_date
    from workorders.quality import operations

    from ..jobs import JobRun, JobSpec, Outcome, register_job
    from ..runtime import timezone
    from . import views

    app.register_blueprint(views.bp)
    tz = timezone(app)

    def sample(run: JobRun) -> Outcome:
        week = operations.week_of(local_date(run.now, tz)) - timedelta(days=7)
        with run.transaction() as session:
            drawn = operations.draw_sample(session, week, run.now, tz, sample_percent(app))
        return Outcome(drawn, f"week of {week}" if drawn else None)

    register_job(app, JobSpec("quality_sample", "draw last week's quality-inspection sample of each agent's orders",
                              timedelta(hours=24), sample))


def sample_percent(app: Flask) -> float:
    return float(app.config.get("QUALITY_SAMPLE_PERCENT") or os.environ.get("HOTLINE_QUALITY_SAMPLE_PERCENT")
                 or SAMPLE_PERCENT)
