"""The light sweep: each threshold answered once, by exactly the events `perform` would write."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.runtime import domain_context
from tests.builders import Cast
from tests.conftest import beijing
from workorders import actions
from workorders.alarms import due_lights
from workorders.context import Actor
from workorders.jobs.lights import LIGHT_INPUTS, sweep_lights
from workorders.models import OrderEvent, WorkOrder

SCHEDULER = Actor.system("scheduler")
# Karamay complaint dispatched Monday 2026-03-02 09:00: due Monday 9 March 23:59:59, yellow from
# Friday 6 March 00:00, severely overdue after Monday 16 March 23:59:59.
YELLOW, DUE, SEVERE = beijing(2026, 3, 6), beijing(2026, 3, 9, 23, 59, 59), beijing(2026, 3, 16, 23, 59, 59)
SECOND = timedelta(seconds=1)


def sweep(session):
    return sweep_lights(domain_context(session), 1000)


def events_of(session, order, after_seq=0):
    return list(session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.seq > after_seq).order_by(OrderEvent.seq)))


def actions_of(session, order):
    return [e.action for e in events_of(session, order)]


def event_fields(event):
    return {c.key: getattr(event, c.key) for c in OrderEvent.__table__.columns if c.key not in ("id", "order_id")}


def row_fields(session, order):
    row = session.execute(select(WorkOrder.__table__).where(WorkOrder.id == order.id)).one()._asdict()
    return {k: v for k, v in row.items() if k not in ("id", "number", "access_code_hash")}


def dispatched_twins(cast, handling="time_limited"):
    twins = []
    for _ in range(2):
        order = cast.new_order()
        body = {"department": "housing", "handling": handling}
        if handling == "joint":
            body["co_departments"] = ["urban"]
        cast.do(order, "agent", "dispatch", body)
        twins.append(order)
    return twins


@pytest.fixture
def cast(app, session):
    with app.app_context():
        yield Cast(session)


def set_clock(clock, at):
    clock.advance(at - clock.now())


@pytest.mark.parametrize("handling, at, expected", [
    ("time_limited", YELLOW, ["urge"]),
    ("time_limited", DUE + SECOND, ["urge", "supervise"]),
    ("joint", SEVERE + timedelta(hours=10), ["urge", "supervise", "report_severe"]),
    ("commitment", beijing(2026, 3, 20, 8), ["urge", "supervise"]),
])
def test_the_set_based_sweep_writes_exactly_what_perform_writes(cast, session, clock, handling, at, expected):
    reference, swept = dispatched_twins(cast, handling)
    if handling == "commitment":
        for order in (reference, swept):
            cast.do(order, "department", "sign")
            cast.do(order, "department", "interim_reply", {"text": "已列入计划", "committed_date": "2026-03-19"})
    session.flush()
    seq = reference.last_event_seq
    set_clock(clock, at)

    # The reference path: `perform` for each due transition, each action its own flush.
    names = due_lights(reference, clock.now())
    assert names == expected
    for name in names:
        actions.perform(cast.ctx(), SCHEDULER, reference, name, dict(LIGHT_INPUTS[name]))
        session.flush()

    selected, changed = sweep(session)
    session.expire_all()
    assert (selected, changed) == (1, 1)  # the reference order is no longer due
    assert [event_fields(e) for e in events_of(session, swept, seq)] == \
           [event_fields(e) for e in events_of(session, reference, seq)]
    assert row_fields(session, swept) == row_fields(session, reference)
    assert [e.action for e in events_of(session, swept, seq)] == expected


def test_each_threshold_is_answered_once_as_time_goes_by(cast, session, clock):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    session.flush()
    assert (order.yellow_at, order.due_at, order.severe_at) == (YELLOW, DUE, SEVERE)
    steps = [
        (YELLOW - SECOND, []),
        (YELLOW, ["urge"]),
        (DUE, []),  # still on time up to and including 23:59:59
        (DUE + SECOND, ["supervise"]),
        (SEVERE, []),
        (SEVERE + SECOND, ["report_severe"]),
        (SEVERE + timedelta(days=30), []),
    ]
    for at, expected in steps:
        set_clock(clock, at)
        before = len(actions_of(session, order))
        sweep(session)
        sweep(session)  # a second run at the same moment adds nothing
        session.expire_all()
        assert actions_of(session, order)[before:] == expected, at
    swept = events_of(session, order, 2)
    assert [(e.actor_name, e.actor_role, e.from_state, e.to_state) for e in swept] == \
           [("scheduler", "system", "dispatched", "dispatched")] * 3
    assert [e.at for e in swept] == [YELLOW, DUE + SECOND, SEVERE + SECOND]
    assert order.next_alarm_at is None


def test_a_sweep_reads_only_the_orders_whose_alarm_is_due(cast, session, clock):
    due_soon, later = cast.new_order(), cast.new_order()
    cast.do(due_soon, "agent", "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=7))  # dispatched a week later: its thresholds are a week later
    cast.do(later, "agent", "dispatch", {"department": "housing"})
    session.flush()
    set_clock(clock, DUE + SECOND)
    assert sweep(session) == (1, 1)
    session.expire_all()
    assert actions_of(session, later) == ["create", "dispatch"]
    assert later.next_alarm_at == later.yellow_at


def test_a_supervisors_urge_in_yellow_counts_and_an_extension_re_arms_the_alarms(cast, session, clock):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    cast.do(order, "department", "sign")
    set_clock(clock, YELLOW + timedelta(hours=9))
    cast.do(order, "supervisor", "urge", {"message": "请今天回复"})
    session.flush()
    assert sweep(session) == (0, 0)  # already urged in yellow: nothing to add
    cast.do(order, "department", "request_extension", {"reason": "需要现场勘查", "working_days": 3})
    cast.do(order, "supervisor", "decide_extension", {"approve": True})
    session.flush()
    assert order.due_at == beijing(2026, 3, 12, 23, 59, 59)
    assert order.next_alarm_at == order.yellow_at == beijing(2026, 3, 11)
    set_clock(clock, beijing(2026, 3, 11, 8))
    sweep(session)
    session.expire_all()
    assert actions_of(session, order)[-2:] == ["decide_extension", "urge"]


def test_a_committed_order_is_judged_by_its_committed_date(cast, session, clock):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    cast.do(order, "department", "sign")
    cast.do(order, "department", "interim_reply", {"text": "已列入维修计划", "committed_date": "2026-03-25"})
    session.flush()
    assert order.due_at == beijing(2026, 3, 25, 23, 59, 59)
    set_clock(clock, DUE + timedelta(hours=1))  # the original limit has passed: no matter
    assert sweep(session) == (0, 0)
    set_clock(clock, beijing(2026, 3, 26))
    sweep(session)
    session.expire_all()
    assert actions_of(session, order)[-2:] == ["urge", "supervise"]


def test_the_alarm_follows_the_order_through_its_life(cast, session, clock):
    order = cast.new_order()
    # In intake: the urge of the intake limit (Karamay preset: 24 hours), the second after it.
    assert order.next_alarm_at == clock.now() + timedelta(hours=24, seconds=1)
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    assert order.next_alarm_at == YELLOW
    cast.do(order, "department", "sign")
    cast.do(order, "department", "reply", {"text": "已处理", "resolved": True})
    # Replied at 09:00 on a working day: the survey call is due at once, the window ends 2 days on.
    assert order.callback_call_at == clock.now()
    assert order.callback_due_at == beijing(2026, 3, 4, 23, 59, 59)
    assert order.next_alarm_at == clock.now()
    cast.do(order, "supervisor", "archive", {"reason": "来电人撤回"})
    assert order.next_alarm_at is None and order.callback_call_at is None


def test_a_returned_order_has_no_alarm_and_the_closed_window_needs_no_job(cast, session, clock):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    department = cast.actors["department"]
    assert "return" in actions.allowed_actions(session, department, order, clock.now())
    clock.advance(timedelta(days=1))  # Karamay: the window closed at the end of the dispatch day
    assert "return" not in actions.allowed_actions(session, department, order, clock.now())
    assert sweep(session) == (0, 0)
    other = cast.new_order()
    cast.do(other, "agent", "dispatch", {"department": "housing"})
    cast.do(other, "department", "return", {"reason": "不属于本单位"})
    assert other.next_alarm_at is None
