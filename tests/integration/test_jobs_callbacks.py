"""Satisfaction callbacks: one survey call per attempt, after the commit; 3 unanswered → archived."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select

from hotline import create_app
from hotline.db import database
from hotline.jobs import run_job
from tests.builders import Cast
from tests.committed import committed_database
from tests.conftest import TZ, beijing
from workorders.clock import Clock
from workorders.models import OrderEvent, WorkOrder


class RecordingPlacer:
    """A `CallbackPlacer` that remembers what it was asked to place (telephony is issue 3's)."""

    def __init__(self, check=None):
        self.placed, self.check = [], check

    def place(self, session, order, now):
        if self.check:
            self.check(order)
        self.placed.append((order.number, now))
        return "recorded"


@pytest.fixture
def placer(app):
    placer = RecordingPlacer()
    app.extensions["hotline.callback_placer"] = placer
    return placer


@pytest.fixture
def cast(app, session):
    with app.app_context():
        yield Cast(session)


def replied_order(cast, type_="complaint"):
    order = cast.new_order(type_)
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    cast.do(order, "department", "sign")
    cast.do(order, "department", "reply", {"text": "已修复", "resolved": True})
    cast.session.flush()
    return order


def run(app, name):
    result = run_job(app, name, "test")
    assert result.error is None, result.error
    return result.rows


def actions_of(session, order):
    session.expire_all()
    return [e.action for e in session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq))]


def set_clock(clock, at):
    clock.advance(at - clock.now())


def test_a_reply_gets_one_survey_call_recorded_before_it_is_placed(app, cast, session, clock, placer):
    order = replied_order(cast)  # Monday 09:00: within calling hours, the call is due at once
    assert run(app, "callback_calls") == 1
    assert run(app, "callback_calls") == 0
    assert placer.placed == [(order.number, clock.now())]
    event = session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.action == "place_callback")).one()
    assert (event.actor_name, event.inputs) == ("scheduler", {"channel": "call", "attempt": 1})
    session.expire_all()
    assert order.callback_call_at is None
    assert order.next_alarm_at == order.callback_due_at + timedelta(seconds=1)


@pytest.mark.parametrize("replied_at, call_at", [
    (beijing(2026, 3, 2, 21, 30), beijing(2026, 3, 3, 9)),  # evening: next morning
    (beijing(2026, 3, 3, 7, 0), beijing(2026, 3, 3, 9)),    # early: the same morning
    (beijing(2026, 4, 4, 10, 0), beijing(2026, 4, 7, 9)),   # Qingming 4–6 April 2026: after it
])
def test_survey_calls_wait_for_calling_hours_on_a_working_day(cast, clock, replied_at, call_at):
    set_clock(clock, replied_at)
    order = replied_order(cast)
    assert order.callback_call_at == call_at


def test_three_unanswered_windows_archive_the_order_as_unreachable(app, cast, session, clock, placer):
    order = replied_order(cast)
    windows = []
    for attempt in (1, 2, 3):
        assert run(app, "callback_calls") == 1
        session.expire_all()
        windows.append(order.callback_due_at)
        set_clock(clock, order.callback_due_at)
        assert run(app, "callback_timeouts") == 0  # on time up to the last second of the window
        clock.advance(timedelta(seconds=1))
        assert run(app, "callback_timeouts") == 1
        session.expire_all()
        assert order.callback_attempts == attempt
        if attempt < 3:
            assert order.state == "replied"
            set_clock(clock, order.callback_call_at)  # the next working day, 09:00
    assert order.state == "archived" and order.satisfaction == "unreachable"
    assert order.next_alarm_at is None
    assert len(placer.placed) == 3 and len(set(windows)) == 3
    assert actions_of(session, order)[-6:] == ["place_callback", "callback"] * 3
    assert run(app, "callback_timeouts") == 0 and run(app, "callback_calls") == 0


def test_an_answered_survey_ends_the_calls(app, cast, session, clock, placer):
    order = replied_order(cast)
    run(app, "callback_calls")
    session.expire_all()
    cast.do(order, "system", "callback", {"satisfaction": "satisfied", "resolved": True})
    session.flush()
    clock.advance(timedelta(days=10))
    assert run(app, "callback_timeouts") == 0 and run(app, "callback_calls") == 0
    session.expire_all()
    assert order.state == "archived" and order.satisfaction == "satisfied"


def test_an_unanswered_call_reported_by_telephony_is_tried_again_the_next_working_day(app, cast, session, clock, placer):
    order = replied_order(cast)
    run(app, "callback_calls")
    session.expire_all()
    cast.do(order, "system", "callback", {"satisfaction": "unreachable"})  # Twilio: no-answer
    session.flush()
    assert order.callback_attempts == 1 and order.callback_call_at == beijing(2026, 3, 3, 9)
    assert run(app, "callback_calls") == 0
    set_clock(clock, beijing(2026, 3, 3, 9))
    assert run(app, "callback_calls") == 1
    assert [n for n, _ in placer.placed] == [order.number, order.number]


def test_types_without_a_callback_are_archived_and_never_called(app, cast, placer):
    order = replied_order(cast, type_="praise")
    assert order.state == "archived" and order.next_alarm_at is None
    assert run(app, "callback_calls") == 0 and placer.placed == []


def test_without_telephony_the_console_placer_logs_the_call(app, cast, caplog):
    app.extensions.pop("hotline.callback_placer", None)
    order = replied_order(cast)
    with caplog.at_level(logging.INFO, logger="workorders.jobs.callbacks"):
        assert run(app, "callback_calls") == 1
    assert f"callback survey for order {order.number} to 139****1111" in caplog.text


def test_a_failing_placer_is_recorded_and_the_window_still_times_out(app, cast, session, clock):
    def refuse(order):
        raise RuntimeError("telephony down")

    app.extensions["hotline.callback_placer"] = RecordingPlacer(check=refuse)
    order = replied_order(cast)
    result = run_job(app, "callback_calls", "test")
    assert result.error is None and result.rows == 1 and result.note == "1 call(s) failed"
    set_clock(clock, order.callback_due_at + timedelta(seconds=1))
    assert run(app, "callback_timeouts") == 1


@pytest.mark.committed
def test_the_call_goes_out_only_after_its_claim_is_committed(tmp_path, reference_template):
    now = beijing(2026, 3, 2, 9)
    with committed_database(tmp_path, template=reference_template) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "SCHEDULER": "off", "TESTING": True,
                          "CLOCK": Clock.frozen(now, TZ)})
        with app.app_context(), database(app).transaction() as session:
            order = replied_order(Cast(session))
            number = order.number
        outside = create_engine(database(app).engine.url)

        def committed_claims(order):
            with outside.connect() as conn:
                claims = conn.scalar(select(func.count()).select_from(OrderEvent).join(WorkOrder).where(
                    WorkOrder.number == order.number, OrderEvent.action == "place_callback"))
            assert claims == 1, "the call was placed before its claim was committed"

        placer = RecordingPlacer(check=committed_claims)
        app.extensions["hotline.callback_placer"] = placer
        result = run_job(app, "callback_calls", "test")
        assert result.error is None and result.note is None
        assert [n for n, _ in placer.placed] == [number]
        outside.dispose()
        database(app).dispose()
