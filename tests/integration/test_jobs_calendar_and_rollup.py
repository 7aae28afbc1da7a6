"""The calendar coverage warning and the daily statistics roll-up hook."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from hotline.jobs import run_job
from tests.conftest import beijing
from workorders.calendar import WorkingCalendar
from workorders.jobs.coverage import coverage_warning
from workorders.jobs.models import JobMark, JobRun


def set_clock(clock, at):
    clock.advance(at - clock.now())


def test_admins_are_warned_from_60_days_before_the_calendar_ends(app, clock, caplog):
    # The test database's calendar is seeded from chinesecalendar: it ends on 31 December 2026.
    set_clock(clock, beijing(2026, 11, 1, 9))  # 60 days left: not yet
    assert run_job(app, "calendar_coverage", "test").note is None
    set_clock(clock, beijing(2026, 11, 2, 9))  # 59 days left
    with caplog.at_level(logging.WARNING, logger="hotline.jobs"):
        result = run_job(app, "calendar_coverage", "test")
    assert result.note == ("the working-day calendar covers up to 2026-12-31 (59 days left): "
                           "import next year's holiday notice (hotline calendar import)")
    assert result.note in caplog.text


def test_the_warning_also_covers_an_empty_or_lapsed_calendar():
    assert "empty" in coverage_warning(WorkingCalendar.empty(), date(2026, 3, 1))
    lapsed = WorkingCalendar({date(2025, 12, 31): True})
    assert "ended on 2025-12-31" in coverage_warning(lapsed, date(2026, 1, 5))


@pytest.fixture
def rolled(app):
    days = []
    # Only this hook: the statistics package registers its own, tested there.
    app.extensions["hotline.rollup_hooks"] = [lambda session, day: days.append(day)]
    return days


def test_every_finished_day_is_rolled_up_once_and_missed_days_are_caught_up(app, session, clock, rolled):
    assert run_job(app, "daily_rollup", "test").rows == 1  # Monday 2 March: Sunday ended
    assert run_job(app, "daily_rollup", "test").rows == 0
    clock.advance(timedelta(days=3))  # the scheduler was down Tuesday to Thursday
    assert run_job(app, "daily_rollup", "test").rows == 3
    assert rolled == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert session.get(JobMark, "daily_rollup").day == date(2026, 3, 4)


def test_a_failing_roll_up_is_recorded_and_its_day_retried(app, session, clock, rolled):
    def broken(session, day):
        raise RuntimeError("statistics tables are missing")

    app.extensions["hotline.rollup_hooks"].insert(0, broken)
    result = run_job(app, "daily_rollup", "test")
    assert result.error == "RuntimeError: statistics tables are missing" and result.rows is None
    assert session.get(JobMark, "daily_rollup") is None
    app.extensions["hotline.rollup_hooks"].remove(broken)
    assert run_job(app, "daily_rollup", "test").rows == 1 and rolled == [date(2026, 3, 1)]
    runs = session.query(JobRun).filter_by(job="daily_rollup").order_by(JobRun.id).all()
    assert [(r.error is not None, r.rows) for r in runs] == [(True, None), (False, 1)]
    assert all(r.finished_at and r.duration_ms is not None and r.as_of == clock.now() for r in runs)


def test_without_a_roll_up_registered_the_job_says_so(app):
    app.extensions["hotline.rollup_hooks"] = []
    result = run_job(app, "daily_rollup", "test")
    assert (result.rows, result.note) == (0, "no roll-up registered")
