"""Acceptance 6 end to end: callers go through the real queue (signed webhooks to a served app, the
local fake Twilio, agents pressing the desk's presence buttons), and the figures of those calls,
hand-counted below, appear on the live board, in the daily roll-up and in the monthly workbook."""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
import requests
from openpyxl import load_workbook

from hotline.auth import hash_password, issue_token
from hotline.db import database
from hotline.jobs import run_job
from tests.committed import committed_database
from tests.conftest import TZ
from tests.integration.test_call_queue_routing import PASSWORD, SATURDAY, Agent, Caller, entry_of, make_agents
from tests.ivr_support import FakeTwilioApi, committed_app, serving
from workorders.callcenter.figure_models import AgentDay, CallDay
from workorders.clock import Clock
from workorders.people import create_user

pytestmark = pytest.mark.committed


@pytest.fixture
def fake():
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def clock():
    return Clock.frozen(SATURDAY, TZ)


@pytest.fixture
def app(tmp_path, fake, clock, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        app = committed_app(url, clock, IVR_WORKING_HOURS=None, IVR_TELEPHONY="twilio",
                            TWILIO_API_BASE_URL=fake.url)
        yield app
        database(app).dispose()


@pytest.fixture
def server(app):
    with serving(app) as base:
        yield base


def test_the_figures_of_queued_calls_on_the_board_in_the_rollup_and_in_the_workbook(app, server, clock):
    make_agents(app, "amy", "bob")
    with database(app).transaction() as session:
        boss = create_user(session, username="boss", password_hash=hash_password(PASSWORD), role="supervisor",
                           department_code=None, now=SATURDAY)
        token = issue_token(session, boss, SATURDAY)
    amy, bob = Agent(server, "amy"), Agent(server, "bob")

    def at(seconds: int) -> None:
        clock.advance(SATURDAY + timedelta(seconds=seconds) - clock.now())

    amy.presence("ready")
    a = Caller(server)
    a.press_1()  # Amy is ready: rung at once
    at(6)
    a.post(f"/ivr/queue/answered?entry={entry_of(app, a).id}")  # answered after 6 s
    at(10)
    b = Caller(server)
    b.press_1()  # Amy is on a call, Bob not ready: B waits
    at(40)
    bob.presence("ready")  # B goes to Bob (redirected through the fake Twilio)
    b.post(f"/ivr/queue/connect?entry={entry_of(app, b).id}")
    at(45)
    b.post(f"/ivr/queue/answered?entry={entry_of(app, b).id}")  # answered after 35 s
    at(50)
    c = Caller(server)
    c.press_1()
    at(62)
    c.post("/ivr/queue/left", QueueResult="hangup")  # C gave up after 12 s
    at(66)
    a.post(f"/ivr/queue/dialed?entry={entry_of(app, a).id}", DialCallStatus="completed")  # 60 s of talk; Amy wraps up 30 s
    at(105)
    b.post(f"/ivr/queue/dialed?entry={entry_of(app, b).id}", DialCallStatus="completed")  # 60 s of talk; Bob wraps up 30 s
    at(150)
    amy.presence("break", "午饭")
    bob.presence("offline")
    at(180)
    e = Caller(server)
    e.press_1()  # nobody ready: E waits
    at(222)

    live = requests.get(server + "/api/v1/callcenter/live", headers={"Authorization": f"Bearer {token}"}).json()
    assert live == {"waiting": 1, "longest_wait_seconds": 42, "agents": {"break": 1, "offline": 1}}

    # Hand count (E still waits, so it is not offered yet):
    offered, answered, abandoned = 3, 2, 1
    within_20 = 1  # A after 6 s; B waited 35 s
    waits, talk, wrap_up = 6 + 35, 60 + 60, 30 + 30

    clock.advance(timedelta(days=1))  # Sunday: Saturday has ended and the scheduler rolls it up
    run_job(app, "daily_rollup", "test")
    with database(app).transaction() as session:
        day = session.get(CallDay, date(2026, 3, 7))
        assert (day.offered, day.answered, day.abandoned) == (offered, answered, abandoned)
        assert (day.answered_within_service_level, day.answer_wait_seconds) == (within_20, waits)
        assert (day.talk_seconds, day.wrap_up_seconds) == (talk, wrap_up)
        agents = {a.user_id: (a.calls, a.talk_seconds, a.wrap_up_seconds)
                  for a in session.query(AgentDay).filter_by(day=date(2026, 3, 7))}
        assert sorted(agents.values()) == [(1, 60, 30), (1, 60, 30)]

    supervisor = Agent(server, "boss")
    response = supervisor.http.get(server + "/stats/report.xlsx?month=2026-03")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content))["话务"].iter_rows(values_only=True))
    by_code = {row[2]: row[1] for row in rows if len(row) > 2 and isinstance(row[2], str)}
    assert (by_code["offered"], by_code["answered"], by_code["abandoned"]) == (offered, answered, abandoned)
    assert by_code["answer_rate"] == pytest.approx(answered / offered)
    assert by_code["service_level"] == pytest.approx(within_20 / offered)
    assert by_code["average_speed_of_answer"] == pytest.approx(waits / answered)
    assert by_code["average_handle_time"] == pytest.approx((talk + wrap_up) / answered)
    usernames = {row[1] for row in rows if row[1] in ("amy", "bob")}
    assert usernames == {"amy", "bob"}
