"""Statistics in the app (SPEC §7): pages, the monthly workbook, the CLI, and the roll-up jobs.

The figures and the roll-up are the domain's (`workorders.stats`); this package shows them and
keeps the roll-up current through the scheduler:

- job `stats_rollup` (every STATS_ROLLUP_MINUTES, default 10): `rollup.refresh`, the days that
  events written since its last run changed;
- the scheduler's daily roll-up hook: `rollup.close_day` for every day that ended, a safety net
  for events committed after a refresh had already looked;
- job `monthly_workbook` (daily): once a month has ended, its workbook is built (after a roll-up
  refresh, in the default locale) and kept in `stats_workbooks` for download; a month already kept
  is left alone, so running it twice builds nothing more.

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
    from . import assessment_pages, pages, scheme_admin  # noqa: F401  (assessment_pages adds its routes to pages.bp)

    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.public)
    app.register_blueprint(scheme_admin.bp)

    tz = timezone(app)

    def refresh(run: JobRun) -> Outcome:
        with run.transaction() as session:
            return Outcome(rollup.refresh(session, run.now, tz))

    minutes = float(app.config.get("STATS_ROLLUP_MINUTES") or os.environ.get("HOTLINE_STATS_ROLLUP_MINUTES") or 10)
    register_job(app, JobSpec("stats_rollup", "statistics roll-up of the days that new events changed",
                              timedelta(minutes=minutes), refresh))
    app.extensions.setdefault("hotline.rollup_hooks", []).append(
        lambda session, day: rollup.close_day(session, day, tz))

    def last_month(run: JobRun) -> Outcome:
        with run.transaction() as session:
            kept = keep_last_month(session, run.now, tz)
        return Outcome(1 if kept else 0, f"kept the workbook of {kept}" if kept else None)

    register_job(app, JobSpec("monthly_workbook", "build and keep last month's Excel report once the month ended",
                              timedelta(hours=24), last_month))


def keep_last_month(session, now, tz):
    """Build and store the last full month's workbook unless it is stored; the period, or None."""
    from flask_babel import force_locale

    from workorders.deadlines import local_date
    from workorders.stats import periods
    from workorders.stats.stored import StoredWorkbook, stored

    from . import workbook
    from .pages import build_workbook

    period = periods.last_full_month(local_date(now, tz))
    if stored(session, "month", period.first) is not None:
        return None
    rollup.refresh(session, now, tz)  # the month's last events, if the 10-minute refresh has not run yet
    with force_locale("zh_CN"):
        data = workbook.to_bytes(build_workbook(session, period, now, tz, "month"))
    session.add(StoredWorkbook(kind="month", first_day=period.first, last_day=period.last, built_at=now,
                               content=data))
    session.flush()
    return period
