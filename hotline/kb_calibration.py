"""Calibrating knowledge-base search on what this hotline is asked (`knowledge_base.calibration`).

The past queries are what agents typed into the knowledge-base search and the requests of the
newest orders (each order's content is what an agent would have looked up), newest first. A
nightly job recalibrates; `hotline kb calibrate` does it now, from those or from a file of past
queries (one a line: summaries exported from the hotline's previous system, say).
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from knowledge_base.calibration import calibrate, past_queries
from workorders.errors import Invalid


def init_app(app: Flask) -> None:
    from .jobs import JobRun, JobSpec, Outcome, register_job

    def recalibrate(run: JobRun) -> Outcome:
        with run.transaction() as session:
            try:
                done = calibrate(session, past_queries(session), run.now)
            except Invalid as refused:  # too few queries yet: nothing was written
                return Outcome(0, f"{refused.message}; the articles' pulls are left as they were")
        return Outcome(done.articles, f"calibrated on {done.queries} past queries")

    register_job(app, JobSpec("kb_calibrate", "measure each knowledge-base article's pull over past queries",
                              timedelta(hours=24), recalibrate))
