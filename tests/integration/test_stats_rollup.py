"""The roll-up kept by the scheduler equals one rebuilt from scratch (issue #7, acceptance 1).

`refresh` runs after every single action of the March data set; `close_day`, the scheduler's
daily hook, catches an event that a refresh could not see yet; both leave exactly the rows a
full rebuild writes.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from hotline.jobs import jobs, run_job
from tests.stats_support import TZ, Office, beijing, march_2026
from workorders.models import OrderEvent
from workorders.stats import rollup
from workorders.stats.models import MEASURES, DailyFigures, HeldDispatch, RollupMark, SevereDispatch

FIRST, LAST = date(2026, 2, 1), date(2026, 4, 30)


def stored(session) -> tuple[list, list, list]:
    daily = session.execute(
        select(DailyFigures.dimension, DailyFigures.day, DailyFigures.key,
               *[getattr(DailyFigures, m) for m in MEASURES])
        .order_by(DailyFigures.dimension, DailyFigures.day, DailyFigures.key)).all()
    severe = session.execute(
        select(SevereDispatch.day, SevereDispatch.order_id, SevereDispatch.department_id,
               SevereDispatch.dispatched_at, SevereDispatch.ended_at, SevereDispatch.ended_by)
        .order_by(SevereDispatch.order_id, SevereDispatch.dispatched_at)).all()
    held = session.execute(
        select(HeldDispatch.day, HeldDispatch.order_id, HeldDispatch.department_id, HeldDispatch.type,
               HeldDispatch.category_id, HeldDispatch.district, HeldDispatch.due_at, HeldDispatch.severe_at)
        .order_by(HeldDispatch.order_id, HeldDispatch.dispatched_at)).all()
    return [tuple(r) for r in daily], [tuple(r) for r in severe], [tuple(r) for r in held]


def rebuilt(session) -> tuple[list, list, list]:
    rollup.rollup_days(session, FIRST, LAST, TZ)
    return stored(session)


class RefreshingOffice(Office):
    """Runs the scheduler's refresh after every action, as if the job ran between any two."""

    def create(self, when, **fields):
        order = super().create(when, **fields)
        rollup.refresh(self.session, self.clock.now(), TZ)
        return order

    def do(self, when, who, order, action, data=None):
        super().do(when, who, order, action, data)
        rollup.refresh(self.session, self.clock.now(), TZ)
        return order


def test_refreshing_after_every_action_equals_a_rebuild(app, session, clock):
    with app.app_context():
        march_2026(RefreshingOffice(session, clock))
        kept = stored(session)
        assert len(kept[0]) > 100 and len(kept[1]) == 1  # the street's severe late reply
        assert len(kept[2]) == 1  # the order urban still holds
        assert kept == rebuilt(session)


def test_the_days_close_catches_an_event_a_refresh_missed(app, session, clock):
    with app.app_context():
        office = Office(session, clock)
        orders = march_2026(office)
        rollup.refresh(session, clock.now(), TZ)
        # Urban replies to the order it held; the refresh that follows looked before this
        # event's transaction committed (its mark is already past the event).
        office.do(beijing(2026, 4, 1, 10, 0), "urban", orders["held"], "reply", {"text": "已处理", "resolved": True})
        mark = session.get(RollupMark, rollup.MARK)
        mark.last_event_id = session.scalar(select(func.max(OrderEvent.id)))
        mark.refreshed_at = clock.now() + timedelta(hours=1)
        rollup.refresh(session, clock.now() + timedelta(hours=1), TZ)
        missed = stored(session)
        rollup.close_day(session, date(2026, 4, 1), TZ)  # the scheduler's hook, once 1 April is over
        closed = stored(session)
        expected = rebuilt(session)
        assert missed != expected  # the refresh left the 2 March dispatch counted as held
        assert closed == expected


def test_the_scheduler_runs_the_roll_up_job_and_the_daily_hook(app, session, clock):
    assert "stats_rollup" in jobs(app) and "daily_rollup" in jobs(app)
    with app.app_context():
        march_2026(Office(session, clock))
        session.commit()
    result = run_job(app, "stats_rollup", "test")
    assert result.error is None and result.rows > 100
    session.expire_all()
    assert stored(session) == rebuilt(session)

    for table in (DailyFigures, SevereDispatch, HeldDispatch):
        session.execute(delete(table))
    session.commit()
    clock.advance(beijing(2026, 3, 11, 1, 0) - clock.now())  # the daily job closes 10 March
    result = run_job(app, "daily_rollup", "test")
    assert result.error is None, result.error
    session.expire_all()
    days = {row[1] for row in stored(session)[0]}
    # 10 March: at_due's callback, late's reply and callback; their orders' other days too.
    assert {date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 10)} <= days
    closed = [row for row in stored(session)[0] if row[1] == date(2026, 3, 2)]
    assert closed == [row for row in rebuilt(session)[0] if row[1] == date(2026, 3, 2)]


@pytest.mark.parametrize("hour", [0, 23])
def test_a_day_is_the_hotlines_local_day(app, session, clock, hour):
    with app.app_context():
        office = Office(session, clock)
        office.create(beijing(2026, 3, 10, hour, 30), type="help", channel="web")
        rollup.rollup_days(session, date(2026, 3, 9), date(2026, 3, 11), TZ)
    received = dict(session.execute(
        select(DailyFigures.day, DailyFigures.received).where(DailyFigures.dimension == "all")).all())
    assert received == {date(2026, 3, 10): 1}
