"""未接来电: a caller who hung up in the queue is listed on the desk, and an agent calls them back
through the REST client (the local fake Twilio); the citizen who answers is connected to that agent."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.models import Call
from tests.ivr_support import CALLER, FakeTwilioApi, Twilio, bound_app, call_params, new_sid, twiml
from tests.web_support import WebSession
from workorders.callcenter.figure_models import CallBack
from workorders.callcenter.models import AgentPresence, QueueEntry


@pytest.fixture
def fake():
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def app(connection, clock, fake):
    return bound_app(connection, clock, IVR_TELEPHONY="twilio", TWILIO_API_BASE_URL=fake.url)


def abandoned(session, clock, caller=CALLER, outcome="abandoned", waited=35) -> QueueEntry:
    now = clock.now()
    call = Call(call_sid=new_sid(), direction="inbound", purpose="hotline", from_number=caller,
                started_at=now - timedelta(seconds=waited + 20), ended_at=now, status="completed", updated_at=now)
    session.add(call)
    session.flush()
    entry = QueueEntry(call_id=call.id, enqueued_at=now - timedelta(seconds=waited), left_at=now, outcome=outcome,
                       updated_at=now)
    session.add(entry)
    session.commit()
    return entry


def test_an_agent_calls_back_a_caller_who_hung_up_in_the_queue(app, session, clock, make_user, fake):
    entry = abandoned(session, clock)
    answered = abandoned(session, clock, caller="+8613800000001", outcome="answered")
    user, _ = make_user("agent")
    agent = WebSession(app, user.username)
    desk = agent.page("/desk")
    assert f'data-entry="{entry.id}"' in desk and f'data-entry="{answered.id}"' not in desk
    assert "未接来电" in desk and CALLER in desk and "35" in desk

    response = agent.post(f"/callcenter/missed/{entry.id}/call-back", {"next": "desk"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/desk")
    [placed] = [r for r in fake.requests if r["path"].endswith("/Calls.json")]
    assert placed["form"]["To"] == CALLER
    assert re.search(r"/ivr/callback/connect\?back=\d+$", placed["form"]["Url"])
    back = session.scalar(select(CallBack))
    assert (back.queue_entry_id, back.user_id, back.called_at, back.to_number) == (entry.id, user.id, clock.now(), CALLER)
    outbound = session.scalar(select(Call).where(Call.call_sid == back.call_sid))
    assert (outbound.direction, outbound.purpose, outbound.to_number) == ("outbound", "call_back", CALLER)
    assert f'data-entry="{entry.id}"' not in agent.page("/desk")  # called back: off the desk
    listing = agent.page("/callcenter/missed")
    assert f'data-entry="{entry.id}"' in listing and user.username in listing

    # The citizen answers: Twilio asks what to do, and the call rings the agent's browser.
    root = twiml(Twilio(app.test_client()).post(
        f"/ivr/callback/connect?back={back.id}",
        call_params(back.call_sid, CallStatus="in-progress", Direction="outbound-api", From="+8675512345", To=CALLER)))
    assert root.find("Dial/Client").text == f"agent_{user.id}"
    assert "回电" in " ".join(s.text for s in root.iter("Say"))


def test_an_agent_without_a_headset_is_reached_on_the_phone(app, session, clock, make_user, fake):
    entry = abandoned(session, clock)
    user, _ = make_user("agent")
    session.add(AgentPresence(user_id=user.id, state="ready", since=clock.now(), phone_number="+8613700000000"))
    session.commit()
    WebSession(app, user.username).post(f"/callcenter/missed/{entry.id}/call-back")
    back = session.scalar(select(CallBack))
    root = twiml(Twilio(app.test_client()).post(f"/ivr/callback/connect?back={back.id}",
                                                call_params(back.call_sid, Direction="outbound-api")))
    assert root.find("Dial/Number").text == "+8613700000000"


def test_twilio_refusing_the_call_leaves_the_attempt_on_record_and_says_so(app, session, clock, make_user, fake):
    entry = abandoned(session, clock)
    fake.fail_with = (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
    agent = WebSession(app, make_user("agent")[0].username)
    page = agent.post(f"/callcenter/missed/{entry.id}/call-back", follow_redirects=True).get_data(as_text=True)
    assert "无法拨出" in page
    back = session.scalar(select(CallBack))
    assert back.call_sid is None
    assert "未拨出" in agent.page("/callcenter/missed")


def test_only_abandoned_calls_are_called_back_and_departments_may_not(app, session, clock, make_user, fake):
    answered = abandoned(session, clock, outcome="answered")
    agent = WebSession(app, make_user("agent")[0].username)
    page = agent.post(f"/callcenter/missed/{answered.id}/call-back", follow_redirects=True).get_data(as_text=True)
    assert "没有放弃" in page
    assert agent.post("/callcenter/missed/999999/call-back", follow_redirects=True).status_code == 200
    department = WebSession(app, make_user("department", "housing")[0].username)
    assert department.post(f"/callcenter/missed/{answered.id}/call-back").status_code == 403
    assert department.get("/callcenter/missed").status_code == 403
    assert session.scalar(select(CallBack)) is None
    assert not [r for r in fake.requests if r["path"].endswith("/Calls.json")]


def test_a_call_back_connect_for_an_unknown_call_back_apologises(app):
    root = twiml(Twilio(app.test_client()).post("/ivr/callback/connect?back=424242", call_params(new_sid())))
    assert root.find("Dial") is None and root.find("Hangup") is not None
