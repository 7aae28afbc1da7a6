"""Acceptance 5: recordings play from the (fake) Twilio server through the app, for hotline staff
only, and every play is logged; the status callback stores them once; voicemails play the same way."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivr.recording_models import Recording, RecordingPlay
from tests.ivr_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FakeTwilioApi,
    Twilio,
    bound_app,
    call_params,
    new_sid,
    twiml,
)
from tests.web_support import WebSession

AUDIO = b"ID3\x04\x00" + bytes(range(256)) * 300  # ~77 kB, more than one streamed chunk


@pytest.fixture
def fake():
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def app(connection, clock, fake):
    return bound_app(connection, clock, TWILIO_API_BASE_URL=fake.url)


def recorded_call(twilio, status="completed", duration="95") -> tuple[str, str]:
    sid, recording = new_sid(), "RE" + new_sid()[2:]
    twiml(twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing")))
    params = {"AccountSid": ACCOUNT_SID, "CallSid": sid, "RecordingSid": recording,
              "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}",
              "RecordingStatus": status, "RecordingDuration": duration, "RecordingChannels": "2",
              "RecordingSource": "DialVerb", "RecordingStartTime": "Mon, 02 Mar 2026 01:00:00 +0000"}
    for _ in range(3):  # Twilio retries: still one recording
        twiml(twilio.post("/ivr/recording/status", params))
    return sid, recording


def test_the_status_callback_stores_sid_and_duration_once(twilio, session):
    sid, recording = recorded_call(twilio)
    [row] = session.scalars(select(Recording)).all()
    assert (row.recording_sid, row.duration, row.status, row.kind, row.call.call_sid) == (
        recording, 95, "completed", "call", sid)


def test_a_later_callback_completes_an_in_progress_recording(twilio, session):
    sid, recording = recorded_call(twilio, status="in-progress", duration="")
    params = {"CallSid": sid, "RecordingSid": recording, "RecordingStatus": "completed", "RecordingDuration": "61"}
    twiml(twilio.post("/ivr/recording/status", params))
    row = session.scalar(select(Recording))
    assert (row.status, row.duration) == ("completed", 61)


@pytest.mark.parametrize("params, message", [
    ({"CallSid": "CA" + "1" * 32}, "missing parameter RecordingSid"),
    ({"CallSid": "CA" + "1" * 32, "RecordingSid": "not-a-sid!"}, "not a Twilio recording id"),
    ({"CallSid": "CA" + "1" * 32, "RecordingSid": "RE" + "1" * 32, "RecordingStatus": "exploded"},
     "unknown RecordingStatus"),
])
def test_a_malformed_recording_callback_is_400_and_writes_nothing(twilio, session, params, message):
    response = twilio.post("/ivr/recording/status", params)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Recording)) == 0


def test_an_unsigned_recording_callback_is_403(twilio):
    assert twilio.post("/ivr/recording/status", {"CallSid": new_sid()}, signature="bogus").status_code == 403


def test_staff_play_a_recording_streamed_from_twilio_and_every_play_is_logged(app, twilio, session, make_user, fake):
    sid, recording = recorded_call(twilio)
    fake.recordings[recording] = AUDIO
    row = session.scalar(select(Recording))
    agent_user, _ = make_user("agent")
    agent = WebSession(app, agent_user.username)
    response = agent.get(f"/recordings/{row.id}/audio")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.data == AUDIO
    [fetch] = [r for r in fake.requests if r["path"].endswith(f"/Recordings/{recording}.mp3")]
    assert fetch["auth"] == f"{ACCOUNT_SID}:{AUTH_TOKEN}"  # the account's credentials, HTTP basic auth

    department = WebSession(app, make_user("department", "housing")[0].username)
    assert department.get(f"/recordings/{row.id}/audio").status_code == 403
    assert len([r for r in fake.requests if r["path"].endswith(".mp3")]) == 1  # nothing fetched for it

    [play] = session.scalars(select(RecordingPlay)).all()
    assert (play.recording_id, play.user_id) == (row.id, agent_user.id)
    supervisor = WebSession(app, make_user("supervisor")[0].username)
    log = supervisor.page("/recordings/plays")
    assert agent_user.username in log and recording in log
    assert agent.get("/recordings/plays").status_code == 403


def test_a_recording_twilio_no_longer_has_is_a_clear_502_and_no_play_is_logged(app, twilio, session, make_user):
    recorded_call(twilio)
    row = session.scalar(select(Recording))
    agent = WebSession(app, make_user("agent")[0].username)
    response = agent.get(f"/recordings/{row.id}/audio")
    assert response.status_code == 502 and "404" in response.get_data(as_text=True)
    assert agent.get("/recordings/999999/audio").status_code == 404
    assert session.scalar(select(func.count()).select_from(RecordingPlay)) == 0


def test_a_voicemail_plays_through_the_app_on_its_order_page(app, client, session, make_user, fake):
    twilio = Twilio(client)
    sid, recording = new_sid(), "RE" + new_sid()[2:]
    twiml(twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing")))
    twiml(twilio.post("/ivr/menu", call_params(sid, Digits="3")))
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}"
    twiml(twilio.post("/ivr/recording", call_params(sid, RecordingUrl=url, RecordingSid=recording,
                                                    RecordingDuration="12", Digits="#")))
    fake.recordings[recording] = AUDIO
    row = session.scalar(select(Recording).where(Recording.recording_sid == recording))
    assert (row.kind, row.duration) == ("voicemail", 12)
    order = row.call.links[0].order
    agent = WebSession(app, make_user("agent")[0].username)
    page = agent.page(f"/orders/{order.number}")
    assert f'src="/recordings/{row.id}/audio"' in page and url not in page and "api.twilio.com" not in page
    assert agent.get(f"/recordings/{row.id}/audio").data == AUDIO
    assert session.scalar(select(func.count()).select_from(RecordingPlay)) == 1
