"""An order's state can always be rebuilt from its append-only events (SPEC §3)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.builders import Cast
from workorders import events
from workorders.models import OrderEvent
from workorders.vocabulary import State


def rebuilt_equals_row(session, order):
    session.flush()
    rows = list(session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)))
    assert [e.seq for e in sorted(rows, key=lambda e: e.seq)] == list(range(1, len(rows) + 1))
    assert events.rebuild(rows) == events.snapshot(order)


@pytest.mark.parametrize("state", [s.value for s in State])
def test_every_state_rebuilds_from_its_events(session, app, state):
    with app.app_context():
        order = Cast(session).order_in(state)
        rebuilt_equals_row(session, order)


def test_a_long_life_with_extensions_reopening_and_redispatch_rebuilds(session, app, clock):
    with app.app_context():
        cast = Cast(session)
        order = cast.order_in("in_progress")
        cast.do(order, "supervisor", "decide_extension", {"approve": True, "note": "同意"})
        cast.do(order, "co_department", "opinion", {"text": "配合办理"})
        clock.advance(timedelta(days=1))
        cast.do(order, "supervisor", "urge", {"message": "请加快"})
        cast.do(order, "department", "reply", {"text": "已修复", "resolved": True})
        cast.do(order, "agent", "callback", {"satisfaction": "dissatisfied", "resolved": False})
        cast.do(order, "supervisor", "review", {"decision": "redispatch", "reason": "未修好",
                                                "department": "urban"})
        assert order.state == "dispatched" and order.department_id == cast.co_dept.id
        rebuilt_equals_row(session, order)


def test_events_are_never_rewritten(session, app):
    with app.app_context():
        cast = Cast(session)
        order = cast.order_in("dispatched")
        first = [(e.seq, e.action, e.changes) for e in session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq))]
        cast.do(order, "department", "sign")
        after = [(e.seq, e.action, e.changes) for e in session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq))]
        assert after[: len(first)] == first and after[-1][1] == "sign"
