"""The call centre's queue through signed Twilio webhooks (issue 17: acceptance 1).

Saturday with the default configuration (7×24 staffing) answers with the menu; key 1 puts the
caller in the agents' queue with a wait URL; the wait TwiML tells the position and expected
wait in Mandarin, plays hold audio, and after the maximum wait lets the caller leave a message.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.models import Call
from tests.conftest import TZ, beijing
from tests.ivr_support import Twilio, action_of, bound_app, call_params, new_sid, spoken, twiml
from workorders.callcenter.models import QueueEntry
from workorders.clock import Clock

SATURDAY = beijing(2026, 3, 7, 22, 30)  # a rest day, late in the evening


@pytest.fixture
def app(connection):
    # The default configuration: no HOTLINE_WORKING_HOURS, so the centre is staffed 7×24.
    return bound_app(connection, Clock.frozen(SATURDAY, TZ), IVR_WORKING_HOURS=None)


def enter_queue(twilio, sid=None):
    sid = sid or new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing")))
    return sid, twiml(twilio.post("/ivr/menu", call_params(sid, Digits="1")))


def wait(twilio, sid, **queue):
    params = {"QueuePosition": "1", "QueueTime": "5", "AvgQueueTime": "0", "CurrentQueueSize": "1",
              "QueueSid": "QU" + "0" * 32, **queue}
    return twiml(twilio.post("/ivr/queue/wait", call_params(sid, **params)))


def entry_of(session, sid) -> QueueEntry:
    return session.scalar(select(QueueEntry).join(Call, Call.id == QueueEntry.call_id).where(Call.call_sid == sid))


def test_on_a_saturday_night_the_default_configuration_answers_with_the_menu(twilio, session):
    sid = new_sid()
    root = twiml(twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing")))
    assert root.find("Gather") is not None and root.find("Record") is None
    assert "人工服务请按1" in root.find("Gather/Say").text
    assert session.scalar(select(Call.after_hours).where(Call.call_sid == sid)) is False


def test_key_1_enqueues_the_caller_with_a_wait_url_and_commits_the_entry_first(twilio, session):
    sid, root = enter_queue(twilio)
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "agents"
    assert (enqueue.get("waitUrl"), enqueue.get("action")) == ("/ivr/queue/wait", "/ivr/queue/left")
    assert "正在为您转接话务员" in spoken(root)
    entry = entry_of(session, sid)
    assert (entry.outcome, entry.agent_id, entry.enqueued_at) == ("waiting", None, SATURDAY)


def test_a_repeated_key_press_keeps_one_entry(twilio, session):
    sid, _ = enter_queue(twilio)
    twiml(twilio.post("/ivr/menu", call_params(sid, Digits="1")))
    assert len(session.scalars(select(QueueEntry)).all()) == 1


def test_the_wait_tells_the_position_and_the_expected_wait_in_mandarin(twilio, app):
    first, _ = enter_queue(twilio)
    app.extensions["hotline.clock"].advance(timedelta(seconds=30))
    second, _ = enter_queue(twilio)
    root = wait(twilio, first)
    assert "您是下一位" in spoken(root)
    root = wait(twilio, second, AvgQueueTime="150")
    assert "您前面还有1位来电在等待，预计等待约5分钟" in spoken(root)
    assert root.find("Pause") is not None and root.find("Leave") is None


def test_the_hold_audio_is_configurable(connection):
    app = bound_app(connection, Clock.frozen(SATURDAY, TZ), IVR_WORKING_HOURS=None,
                    CC_HOLD_AUDIO_URL="https://media.example.org/hold.mp3")
    twilio = Twilio(app.test_client())
    sid, _ = enter_queue(twilio)
    root = wait(twilio, sid)
    assert root.find("Play").text == "https://media.example.org/hold.mp3" and root.find("Pause") is None


def test_after_the_maximum_wait_the_caller_is_offered_a_message(twilio, session):
    sid, _ = enter_queue(twilio)
    root = wait(twilio, sid, QueueTime="300")
    assert root.find("Leave") is not None
    root = twiml(twilio.post("/ivr/queue/left", call_params(sid, QueueResult="leave", QueueTime="300")))
    assert action_of(root, "Record") == "/ivr/recording"
    assert "话务员仍然繁忙" in spoken(root)
    assert entry_of(session, sid).outcome == "voicemail"


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned(twilio, session):
    sid, _ = enter_queue(twilio)
    twiml(twilio.post("/ivr/queue/left", call_params(sid, QueueResult="hangup", QueueTime="42")))
    entry = entry_of(session, sid)
    assert (entry.outcome, entry.left_at) == ("abandoned", SATURDAY)


def test_a_final_call_status_abandons_a_caller_still_waiting(twilio, session):
    sid, _ = enter_queue(twilio)
    twiml(twilio.post("/ivr/status", call_params(sid, CallStatus="completed", CallDuration="61")))
    assert entry_of(session, sid).outcome == "abandoned"


def test_a_connect_for_another_calls_entry_is_refused(twilio, session):
    sid, _ = enter_queue(twilio)
    other, _ = enter_queue(twilio)
    response = twilio.post(f"/ivr/queue/connect?entry={entry_of(session, sid).id}", call_params(other))
    assert response.status_code == 400 and "unknown queue entry" in response.get_data(as_text=True)


def test_working_hours_in_the_configuration_seed_the_schedule(connection):
    app = bound_app(connection, Clock.frozen(SATURDAY, TZ), IVR_WORKING_HOURS="08:30-17:30")
    root = twiml(Twilio(app.test_client()).post("/ivr/voice", call_params(new_sid())))
    assert root.find("Record") is not None and "非工作时间" in spoken(root)


def test_a_caller_assigned_while_waiting_is_sent_to_the_agent_by_the_next_wait_poll(twilio, session, app, make_user):
    from tests.web_support import WebSession

    sid, _ = enter_queue(twilio)
    user, _api = make_user("agent")
    agent = WebSession(app, user.username)
    response = agent.client.post("/desk/phone/presence", data={"state": "ready"},
                                 headers={"X-CSRFToken": agent.token()})
    assert response.status_code == 200, response.get_data(as_text=True)
    entry = entry_of(session, sid)
    assert (entry.outcome, entry.agent_id) == ("assigned", user.id)
    root = wait(twilio, sid)
    assert root.find("Redirect").text == f"/ivr/queue/connect?entry={entry.id}"
