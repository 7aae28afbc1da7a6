"""`hotline db upgrade` after a chinesecalendar release that covers another year (issue 12).

The "package" is built here, so the test does not depend on the year the installed
chinesecalendar ends: version 1 covers 2030–2031, version 2 adds 2032 with a long New Year
holiday. The database is a committed one, because `db upgrade` runs the migrations itself.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline import create_app
from hotline.cli import main
from hotline.db import database
from hotline.demo import _seed_departments
from tests.committed import committed_database
from workorders import actions, calendar_store
from workorders.calendar_store import import_years
from workorders.clock import Clock
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import CalendarDay, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
NEW_YEAR_2032 = [date(2032, 1, d) for d in range(1, 8)]  # a week off: the due date moves by it

pytestmark = pytest.mark.committed


def package(*years: int, holidays: tuple[date, ...] = ()) -> dict[date, bool]:
    """Every date of the years, Monday–Friday working except the holidays."""
    days = {}
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            days[day] = day.weekday() < 5 and day not in holidays
            day += timedelta(days=1)
    return days


@pytest.fixture
def upgrading(tmp_path, monkeypatch):
    """(app, runner, release): `release(days)` installs that "package"."""
    def release(days):
        monkeypatch.setattr(calendar_store, "chinesecalendar_days", lambda: dict(days))

    release(package(2030, 2031))
    with committed_database(tmp_path) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "SCHEDULER": "off", "TESTING": True,
                          "CLOCK": Clock.frozen(datetime(2031, 12, 29, 10, tzinfo=TZ), TZ)})
        runner = app.test_cli_runner()
        assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
        yield app, runner, release
        database(app).dispose()


def dispatch_one(app) -> str:
    """An order (3 working days) dispatched on Monday 2031-12-29: its due day lies in 2032."""
    from hotline.runtime import domain_context

    with app.app_context(), database(app).transaction() as session:
        _seed_departments(session)
        ctx = domain_context(session, app)
        order = create_order(ctx, Actor.system("test"), {"content": "路灯不亮", "caller_phone": "13800000000"},
                             channel="phone").order
        actions.perform(ctx, Actor(None, "agent", "agent"), order, "dispatch", {"department": "housing"})
        return order.number


def order(app, number: str) -> WorkOrder:
    with database(app).transaction() as session:
        return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def test_a_new_package_year_is_added_and_provisional_deadlines_are_counted_again(upgrading):
    app, runner, release = upgrading
    number = dispatch_one(app)
    before = order(app, number)
    assert before.provisional and before.due_at.astimezone(TZ).date() == date(2032, 1, 1)  # Monday–Friday
    release(package(2030, 2031, 2032, holidays=tuple(NEW_YEAR_2032)))
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "calendar seeded for 2032–2032" in result.output
    after = order(app, number)
    assert not after.provisional and after.due_at.astimezone(TZ).date() == date(2032, 1, 8)
    assert "2032-01-05 Mon holiday" in runner.invoke(main, ["calendar", "show", "2032"]).output
    # Run again: nothing new, nothing changed.
    assert "seeded" not in runner.invoke(main, ["db", "upgrade"]).output


def test_an_imported_year_is_never_overwritten_by_the_package(upgrading):
    app, runner, release = upgrading
    with app.app_context(), database(app).transaction() as session:
        import_years(session, {"2032": {"holidays": ["2032-01-01", "2032-01-02"], "workdays": []}},
                     datetime(2031, 12, 1, tzinfo=TZ), source="notice-2032")
    release(package(2030, 2031, 2032, 2033, holidays=tuple(NEW_YEAR_2032)))
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and "calendar seeded for 2033–2033" in result.output
    with database(app).transaction() as session:
        day = session.scalar(select(CalendarDay).where(CalendarDay.day == date(2032, 1, 5)))
        assert day.is_workday and day.source == "notice-2032"  # the official notice, as imported
        assert session.scalar(select(CalendarDay.source).where(CalendarDay.day == date(2033, 6, 1))) == "chinesecalendar"
