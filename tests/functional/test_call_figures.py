"""Acceptance 6: the figures of a known set of calls, hand-counted, on the live board, in the daily
roll-up (run as the scheduler runs it), in the monthly workbook, and on the wallboard.

The calls are queue entries and presence spans as the call centre records them (cc_queue_entries,
cc_presence_spans, cc_agent_presence), written here with known times.
"""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from hotline.jobs import run_job
from ivr.models import Call
from tests.conftest import beijing
from tests.web_support import WebSession
from workorders.callcenter.figure_models import AgentDay, CallDay
from workorders.callcenter.models import AgentPresence, PresenceSpan, QueueEntry

# Monday 2 March 2026, 10:00 Beijing time.
T0 = beijing(2026, 3, 2, 10)


def at(seconds: int):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def calls(session, make_user):
    """Two agents; five callers: answered after 8 s, 20 s and 50 s; two hung up while waiting."""
    one, _ = make_user("agent")
    two, _ = make_user("agent")
    n = iter(range(1000))

    def entry(enqueued: int, outcome: str, agent=None, answered=None, ended=None):
        call = Call(call_sid=f"CA{next(n):032d}", direction="inbound", purpose="hotline", from_number="+8613900000000",
                    started_at=at(enqueued - 10), status="completed", updated_at=at(enqueued))
        session.add(call)
        session.flush()
        session.add(QueueEntry(call_id=call.id, enqueued_at=at(enqueued), outcome=outcome,
                               agent_id=agent.id if agent else None,
                               assigned_at=at(answered - 2) if answered is not None else None,
                               answered_at=at(answered) if answered is not None else None,
                               talk_ended_at=at(ended) if ended is not None else None,
                               left_at=at(answered if answered is not None else enqueued + 30), updated_at=at(enqueued)))

    entry(0, "answered", one, 8, 128)  # 8 s wait, 120 s talk
    entry(30, "answered", two, 50, 230)  # 20 s wait (on the limit), 180 s talk
    entry(200, "answered", one, 250, 310)  # 50 s wait, 60 s talk
    entry(300, "abandoned")
    entry(400, "abandoned")
    for user, spans in ((one, [("ready", 0, 8), ("on_call", 8, 128), ("wrap_up", 128, 158), ("ready", 158, 250),
                               ("on_call", 250, 310), ("wrap_up", 310, 340), ("ready", 340, 3600)]),
                        (two, [("ready", 0, 50), ("on_call", 50, 230), ("wrap_up", 230, 290), ("break", 290, 3600)])):
        for state, start, end in spans:
            session.add(PresenceSpan(user_id=user.id, state=state, started_at=at(start), ended_at=at(end)))
    session.add(AgentPresence(user_id=one.id, state="ready", since=at(3600), idle_since=at(340)))
    session.add(AgentPresence(user_id=two.id, state="break", reason="lunch", since=at(3600)))
    session.commit()
    return one, two


# Hand-counted from the fixture:
OFFERED, ANSWERED, ABANDONED = 5, 3, 2
WITHIN_20_SECONDS = 2  # 8 s and 20 s
WAITS = 8 + 20 + 50
TALK = 120 + 180 + 60
WRAP_UP = 30 + 30 + 60
AGENT_ONE = {"calls": 2, "talk_seconds": 180, "wrap_up_seconds": 60, "on_call_seconds": 180,
             "ready_seconds": 8 + 92 + 3260}
AGENT_TWO = {"calls": 1, "talk_seconds": 180, "wrap_up_seconds": 60, "on_call_seconds": 180, "ready_seconds": 50}


def test_the_live_board_counts_waiting_callers_and_agents_by_presence(app, session, clock, calls, desk):
    call = Call(call_sid="CA" + "w" * 32, direction="inbound", purpose="hotline", from_number="+8613911111111",
                started_at=clock.now(), status="in-progress", updated_at=clock.now())
    session.add(call)
    session.flush()
    session.add(QueueEntry(call_id=call.id, enqueued_at=clock.now() - timedelta(seconds=42), outcome="waiting",
                           updated_at=clock.now()))
    session.commit()
    body = desk["supervisor"].get("/callcenter/live").get_json()
    assert body == {"waiting": 1, "longest_wait_seconds": 42, "agents": {"ready": 1, "break": 1}}
    assert desk["agent"].get("/callcenter/live").status_code == 200
    refused = desk["housing"].get("/callcenter/live")
    assert refused.status_code == 403 and "error" in refused.get_json()
    assert app.test_client().get("/api/v1/callcenter/live").status_code == 401
    openapi = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/callcenter/live" in openapi["paths"]


def test_the_daily_rollup_and_the_monthly_workbook_have_the_hand_counted_figures(app, session, clock, calls, desk):
    one, two = calls
    clock.advance(timedelta(days=1))  # Tuesday: Monday has ended, the scheduler rolls it up
    assert run_job(app, "daily_rollup", "test").rows == 1
    session.expire_all()
    day = session.get(CallDay, date(2026, 3, 2))
    assert (day.offered, day.answered, day.abandoned, day.voicemail) == (OFFERED, ANSWERED, ABANDONED, 0)
    assert (day.answered_within_service_level, day.answer_wait_seconds) == (WITHIN_20_SECONDS, WAITS)
    assert (day.talk_seconds, day.wrap_up_seconds) == (TALK, WRAP_UP)
    agents = {a.user_id: a for a in session.query(AgentDay).filter_by(day=date(2026, 3, 2))}
    for user, expected in ((one, AGENT_ONE), (two, AGENT_TWO)):
        assert {name: getattr(agents[user.id], name) for name in expected} == expected

    supervisor = WebSession(app, desk_username(session, "supervisor"))
    response = supervisor.get("/stats/report.xlsx?month=2026-03")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data))["话务"]
    rows = list(ws.iter_rows(values_only=True))
    by_code = {row[2]: row[1] for row in rows if len(row) > 2 and isinstance(row[2], str)}
    assert by_code["offered"] == OFFERED and by_code["answered"] == ANSWERED and by_code["abandoned"] == ABANDONED
    assert by_code["answer_rate"] == pytest.approx(ANSWERED / OFFERED)
    assert by_code["service_level"] == pytest.approx(WITHIN_20_SECONDS / OFFERED)
    assert by_code["average_speed_of_answer"] == pytest.approx(WAITS / ANSWERED, abs=0.05)
    assert by_code["average_handle_time"] == pytest.approx((TALK + WRAP_UP) / ANSWERED, abs=0.05)
    header = next(i for i, row in enumerate(rows) if row[0] == "话务员")
    columns = rows[header]
    agent_rows = {row[1]: dict(zip(columns, row, strict=True)) for row in rows[header + 1:] if row[1]}
    assert agent_rows[one.username]["接听量"] == 2 and agent_rows[two.username]["接听量"] == 1
    assert agent_rows[one.username]["通话时长（秒）"] == 180
    assert agent_rows[two.username]["话后处理时长（秒）"] == 60
    assert agent_rows[two.username]["占用率"] == pytest.approx((180 + 60) / (180 + 60 + 50), abs=1e-4)

    # Running the roll-up again for the same day changes nothing.
    from hotline.runtime import timezone
    from workorders.callcenter.daily import rollup_call_day
    with app.app_context():
        rollup_call_day(session, date(2026, 3, 2), timezone(app), clock.now())
    session.commit()
    assert session.query(CallDay).count() == 1 and session.get(CallDay, date(2026, 3, 2)).offered == OFFERED


def test_the_wallboard_shows_todays_figures_to_supervisors_only(app, session, clock, calls, make_user):
    clock.advance(timedelta(hours=2))  # 11:00 the same Monday
    supervisor = WebSession(app, make_user("supervisor")[0].username)
    page = supervisor.page("/callcenter/")
    assert 'http-equiv="refresh"' in page
    assert "接通率" in page and "60.0%" in page  # 3 of 5
    assert 'href="/callcenter/"' in page  # in the supervisor's menu
    department = WebSession(app, make_user("department", "housing")[0].username)
    assert department.get("/callcenter/").status_code == 403
    agent = WebSession(app, make_user("agent")[0].username)
    assert agent.get("/callcenter/").status_code == 403


def desk_username(session, role: str) -> str:
    from workorders.models import User

    return session.query(User).filter_by(role=role).order_by(User.id.desc()).first().username
