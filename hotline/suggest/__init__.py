"""Learned classification and routing in the web shell: the desk's suggestions, the quality page
and API, the nightly retraining job and the `hotline suggest` commands (SPEC §12)."""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

from workorders.suggest.serving import ModelCache

from . import cli  # noqa: F401  (the `hotline suggest` commands register on hotline.cli.main)


def init_app(app: Flask) -> None:
    from ..jobs import JobSpec, register_job
    from . import api, views
    from .retraining import retrain_job

    env = os.environ.get
    # Below this confidence the dispatch form preselects no department.
    app.config.setdefault("SUGGEST_THRESHOLD", float(env("HOTLINE_SUGGEST_THRESHOLD", "0.6")))
    # How often a process looks for a newer model version.
    app.config.setdefault("SUGGEST_REFRESH_SECONDS", float(env("HOTLINE_SUGGEST_REFRESH_SECONDS", "10")))
    # The nightly job retrains once this many orders were touched or history rows imported.
    app.config.setdefault("SUGGEST_RETRAIN_MIN_NEW", int(env("HOTLINE_SUGGEST_RETRAIN_MIN_NEW", "50")))
    app.extensions["hotline.suggest_cache"] = ModelCache(app.config["SUGGEST_REFRESH_SECONDS"])
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    register_job(app, JobSpec("suggest_retrain", "retrain the category/department suggestions when enough is new",
                              timedelta(hours=24), retrain_job))
