"""Statistics in the app (SPEC §7): pages, the monthly workbook, the CLI, and the roll-up jobs.

The figures and the roll-up are the domain's (`workorders.stats`); this package shows them and
keeps the roll-up current through the scheduler:

- job `stats_rollup` (every STATS_ROLLUP_MINUTES, default 10): `rollup.refresh`, the days that
  events written since its last run changed;
- the scheduler's daily roll-up hook: `rollup.close_day` for every day that ended, a safety net
  for events committed after a refresh had already looked.

Texts are in the app's catalogue (hotline/translations), like every other page's.
"""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

from workorders.stats import rollup

from . import cli  # noqa: F401  (the commands register on hotline.cli.main)


def init_app(app: Flask) -> None:
    from ..jobs import JobRun, JobSpec, Outcome, register_job
    from ..runtime import timezone
    from . import pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.public)

    tz = timezone(app)

    def refresh(run: JobRun) -> Outcome:
        with run.transaction() as session:
            return Outcome(rollup.refresh(session, run.now, tz))

    minutes = float(app.config.get("STATS_ROLLUP_MINUTES") or os.environ.get("HOTLINE_STATS_ROLLUP_MINUTES") or 10)
    register_job(app, JobSpec("stats_rollup", "statistics roll-up of the days that new events changed",
                              timedelta(minutes=minutes), refresh))
    app.extensions.setdefault("hotline.rollup_hooks", []).append(
        lambda session, day: rollup.close_day(session, day, tz))
