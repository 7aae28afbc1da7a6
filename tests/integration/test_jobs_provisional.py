"""Provisional deadlines are counted again when the next year's calendar is imported (acceptance 4)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hotline.cli import main
from hotline.jobs import run_job
from tests.builders import Cast
from tests.conftest import beijing
from workorders.models import OrderEvent
from workorders.policies import KARAMAY
from workorders.policy_store import save_rules

# Made up for the test (the State Council announces 2027 late in 2026): New Year 1–3 January,
# Spring Festival 6–12 February, Sunday 14 February an adjusted working day.
YEAR_2027 = {"years": {"2027": {
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-06", "2027-02-07", "2027-02-08",
                 "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
    "workdays": ["2027-02-14"],
}}}


@pytest.fixture
def cast(app, session, clock):
    """Long limits (complaint 60, help 40 working days), dispatched on Tuesday 1 December 2026."""
    rules = KARAMAY.to_json()
    rules["limits"]["complaint"] = {"days": 60, "unit": "working"}
    rules["limits"]["help"] = {"days": 40, "unit": "working"}
    rules["max_total_days"] = 60
    save_rules(session, "karamay", rules)
    clock.advance(beijing(2026, 12, 1, 10) - clock.now())
    with app.app_context():
        yield Cast(session)


def import_2027(runner, tmp_path):
    file = tmp_path / "2027.json"
    file.write_text(json.dumps(YEAR_2027), encoding="utf-8")
    result = runner.invoke(main, ["calendar", "import", str(file)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def last_event(session, order):
    return session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                           .order_by(OrderEvent.seq.desc())).first()


def test_importing_2027_recounts_a_60_working_day_deadline_and_clears_the_flag(app, cast, session, runner, tmp_path):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    session.commit()
    # Beyond 2026 the calendar is Monday–Friday: 22 working days in December, 38 more to 23 Feb.
    assert order.provisional is True
    assert (order.due_at, order.yellow_at, order.severe_at) == (
        beijing(2027, 2, 23, 23, 59, 59), beijing(2027, 2, 22), beijing(2027, 3, 2, 23, 59, 59))

    import_2027(runner, tmp_path)
    session.expire_all()
    # 1 January and 8–12 February are holidays, Sunday 14 February works: day 60 is 2 March.
    assert order.provisional is False
    assert (order.due_at, order.yellow_at, order.severe_at) == (
        beijing(2027, 3, 2, 23, 59, 59), beijing(2027, 3, 1), beijing(2027, 3, 9, 23, 59, 59))
    assert order.next_alarm_at == order.yellow_at
    event = last_event(session, order)
    assert (event.action, event.actor_name, event.actor_role) == ("recompute_deadline", "calendar import", "system")
    assert event.changes["provisional"] is False
    assert event.changes["due_at"] == beijing(2027, 3, 2, 23, 59, 59).astimezone(event.at.tzinfo).isoformat()

    # The hourly job finds nothing left to do, and neither does a second import.
    assert run_job(app, "provisional_deadlines", "test").rows == 0
    import_2027(runner, tmp_path)
    session.expire_all()
    assert last_event(session, order).id == event.id


def test_extensions_and_committed_dates_are_recounted_their_own_way(cast, session, runner, tmp_path):
    extended = cast.new_order("help")
    cast.do(extended, "agent", "dispatch", {"department": "housing"})
    cast.do(extended, "department", "sign")
    cast.do(extended, "department", "request_extension", {"reason": "需要调查", "working_days": 5})
    cast.do(extended, "supervisor", "decide_extension", {"approve": True})
    committed = cast.new_order()
    cast.do(committed, "agent", "dispatch", {"department": "housing"})
    cast.do(committed, "department", "sign")
    cast.do(committed, "department", "interim_reply", {"text": "已列入计划", "committed_date": "2027-01-20"})
    session.commit()
    assert extended.due_at == beijing(2027, 2, 2, 23, 59, 59) and extended.provisional
    assert committed.provisional

    import_2027(runner, tmp_path)
    session.expire_all()
    # 40 working days end on 27 January on the real calendar, then 5 more: 3 February.
    assert extended.due_at == beijing(2027, 2, 3, 23, 59, 59) and not extended.provisional
    # The committed date is what the department promised: it stays; yellow and severe follow it.
    assert committed.due_at == beijing(2027, 1, 20, 23, 59, 59) and not committed.provisional
    assert committed.yellow_at == beijing(2027, 1, 19)
    assert committed.severe_at == beijing(2027, 1, 27, 23, 59, 59)
    assert last_event(session, committed).action == "recompute_deadline"


def test_the_job_leaves_provisional_orders_alone_while_the_calendar_is_unchanged(app, cast, session):
    order = cast.new_order()
    cast.do(order, "agent", "dispatch", {"department": "housing"})
    session.commit()
    before = last_event(session, order).id
    result = run_job(app, "provisional_deadlines", "test")
    assert (result.error, result.rows) == (None, 0)
    session.expire_all()
    assert order.provisional and last_event(session, order).id == before
