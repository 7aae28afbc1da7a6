"""The call centre on the desk and the admin pages (issue 17: acceptance 3 and the presence).

The voice token is read back with twilio's own decoder; presence, answering, wrap-up and the
staffing schedule are driven through the pages and signed Twilio webhooks, as people and
Twilio use them.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from twilio.jwt import Jwt

from ivr.models import Call, CallOrder
from tests.conftest import TZ, beijing
from tests.ivr_support import ACCOUNT_SID, CALLER, Twilio, bound_app, call_params, new_sid, twiml
from tests.web_support import WebSession, people, text_of
from workorders.callcenter.models import PresenceSpan, QueueEntry
from workorders.clock import Clock
from workorders.models import WorkOrder

API_KEY = "SK" + "2" * 32
API_SECRET = "test-api-secret-of-thirty-two-bytes!"
TWIML_APP = "AP" + "3" * 32
SATURDAY = beijing(2026, 3, 7, 10, 0)


@pytest.fixture
def clock():
    return Clock.frozen(SATURDAY, TZ)


@pytest.fixture
def app(connection, clock):
    return bound_app(connection, clock, IVR_WORKING_HOURS=None, TWILIO_API_KEY=API_KEY,
                     TWILIO_API_SECRET=API_SECRET, TWILIO_TWIML_APP_SID=TWIML_APP, CC_WRAP_UP_SECONDS=30)


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


@pytest.fixture
def twilio(client):
    return Twilio(client)


class Phone:
    """The desk's phone panel as its script uses it: JSON with the CSRF header."""

    def __init__(self, web: WebSession):
        self.web = web
        self.csrf = web.token()

    def state(self) -> dict:
        response = self.web.get("/desk/phone/state")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def post(self, path: str, status: int = 200, **form) -> dict:
        response = self.web.client.post(f"/desk/phone{path}", data=form, headers={"X-CSRFToken": self.csrf})
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()


# --- acceptance 3: the voice token ----------------------------------------------------------------

def test_an_agent_gets_a_voice_token_that_twilios_decoder_reads(make_user):
    agent, api = make_user("agent")
    response = api.get("/voice/token")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    decoded = Jwt.from_jwt(body["token"], key=API_SECRET)  # verifies the signature with the API secret
    payload = decoded.payload
    assert (payload["iss"], payload["sub"]) == (API_KEY, ACCOUNT_SID)
    assert payload["grants"]["identity"] == body["identity"] == f"agent_{agent.id}"
    voice = payload["grants"]["voice"]
    assert voice["incoming"] == {"allow": True}
    assert voice["outgoing"]["application_sid"] == TWIML_APP


def test_a_supervisor_gets_one_and_a_department_is_refused(make_user):
    _, supervisor = make_user("supervisor")
    assert supervisor.get("/voice/token").status_code == 200
    _, department = make_user("department", "housing")
    response = department.get("/voice/token")
    assert response.status_code == 403 and "does not answer calls" in response.get_json()["error"]


def test_without_an_api_key_the_token_is_refused_with_a_reason(connection, clock, make_user):
    bound_app(connection, clock)  # no TWILIO_API_KEY etc.
    from tests.conftest import Api

    user, _ = make_user("agent")
    plain = bound_app(connection, clock)
    from hotline.auth import issue_token
    from hotline.db import database

    with plain.app_context():
        session = database(plain).sessions()
        token = issue_token(session, user, clock.now())
        session.commit()
    response = Api(plain.test_client(), token).get("/voice/token")
    assert response.status_code == 503
    assert "TWILIO_API_KEY" in response.get_json()["error"]


def test_the_desk_gets_the_same_token_with_its_session(web):
    phone = Phone(web("agent"))
    body = phone.web.get("/desk/phone/token").get_json()
    assert Jwt.from_jwt(body["token"], key=API_SECRET).payload["grants"]["identity"] == body["identity"]


# --- presence -------------------------------------------------------------------------------------

def test_presence_changes_are_kept_with_their_history(web, session, clock):
    agent = web("agent")
    phone = Phone(agent)
    assert phone.state()["presence"]["state"] == "offline"
    assert phone.post("/presence", state="ready")["presence"]["state_label"] == "空闲"
    clock.advance(timedelta(minutes=5))
    body = phone.post("/presence", state="break", reason="喝水")
    assert (body["presence"]["state"], body["presence"]["reason"]) == ("break", "喝水")
    spans = session.execute(select(PresenceSpan.state, PresenceSpan.started_at, PresenceSpan.ended_at)
                            .order_by(PresenceSpan.id)).all()
    assert [s.state for s in spans] == ["offline", "ready", "break"]
    assert spans[1].ended_at == spans[2].started_at == SATURDAY + timedelta(minutes=5)
    assert spans[2].ended_at is None


def test_on_call_cannot_be_chosen_by_hand(web):
    phone = Phone(web("agent"))
    assert "error" in phone.post("/presence", status=422, state="on_call")


def test_signing_out_sets_offline(web):
    agent = web("agent")
    Phone(agent).post("/presence", state="ready")
    agent.post("/logout")
    again = Phone(WebSession(agent.app, agent.username))
    assert again.state()["presence"]["state"] == "offline"


def test_supervisors_see_every_agents_presence_and_agents_may_not(web):
    phone = Phone(web("agent"))
    phone.post("/presence", state="break", reason="培训")
    supervisor = web("supervisor")
    page = text_of(supervisor.page("/desk/phone/agents"))
    assert "小休" in page and "培训" in page
    rows = supervisor.get("/desk/phone/agents?format=json").get_json()["agents"]
    assert [(r["state"], r["reason"]) for r in rows] == [("break", "培训")]
    assert phone.web.get("/desk/phone/agents").status_code == 403


# --- a call from the queue to wrap-up -------------------------------------------------------------

def test_an_answered_call_goes_to_wrap_up_then_ready_and_the_order_links_the_call(web, twilio, session, clock):
    agent = web("agent")
    phone = Phone(agent)
    phone.post("/presence", state="ready")
    sid = new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing")))
    root = twiml(twilio.post("/ivr/menu", call_params(sid, Digits="1")))
    assert root.find("Dial/Client/Identity") is not None  # an agent was ready: rung at once
    state = phone.state()
    assert state["presence"]["state"] == "on_call" and state["current"]["call_sid"] == sid
    entry = state["current"]["entry"]
    assert phone.post(f"/calls/{entry}/answered")["current"]["outcome"] == "answered"
    created = agent.post("/desk/orders", {"type": "complaint", "channel": "phone", "caller_phone": CALLER,
                                          "content": "路灯坏了，晚上很黑。", "call_sid": sid, "disposition": "save",
                                          "confidential": "0", "public_consent": "0", "urgent": "0"})
    assert created.status_code == 302
    order = session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(1))
    link = session.scalar(select(CallOrder).where(CallOrder.order_id == order.id))
    assert link.kind == "agent" and link.call.call_sid == sid
    clock.advance(timedelta(minutes=3))
    body = phone.post(f"/calls/{entry}/hangup")
    assert (body["presence"]["state"], body["presence"]["wrap_up_seconds_left"]) == ("wrap_up", 30)
    # Twilio's own report of the same hang-up changes nothing more.
    twiml(twilio.post(f"/ivr/queue/dialed?entry={entry}", call_params(sid, DialCallStatus="completed")))
    clock.advance(timedelta(seconds=31))
    assert phone.state()["presence"]["state"] == "ready"  # the wrap-up ran out: ready on the next read
    talk = session.scalar(select(QueueEntry).where(QueueEntry.id == entry))
    assert (talk.outcome, talk.answered_at, talk.talk_ended_at) == ("answered", SATURDAY, SATURDAY + timedelta(minutes=3))
    wrap = session.scalar(select(PresenceSpan).where(PresenceSpan.state == "wrap_up"))
    assert wrap.ended_at == SATURDAY + timedelta(minutes=3, seconds=30)


def test_a_call_of_another_agent_cannot_be_answered(web, twilio):
    first, second = Phone(web("agent")), Phone(web("agent"))
    first.post("/presence", state="ready")
    sid = new_sid()
    twilio.post("/ivr/voice", call_params(sid))
    twilio.post("/ivr/menu", call_params(sid, Digits="1"))
    entry = first.state()["current"]["entry"]
    assert "error" in second.post(f"/calls/{entry}/answered", status=404)


def test_a_call_is_transferred_to_a_ready_colleague(web, twilio, session):
    first, second = Phone(web("agent")), Phone(web("supervisor"))
    first.post("/presence", state="ready")
    sid = new_sid()
    twilio.post("/ivr/voice", call_params(sid))
    twilio.post("/ivr/menu", call_params(sid, Digits="1"))
    entry = first.state()["current"]["entry"]
    first.post(f"/calls/{entry}/answered")
    second.post("/presence", state="ready")
    [colleague] = first.state()["transfer_to"]
    body = first.post(f"/calls/{entry}/transfer", to=str(colleague["id"]))
    assert body["presence"]["state"] == "wrap_up"
    assert second.state()["presence"]["state"] == "on_call"
    root = twiml(twilio.post(f"/ivr/queue/connect?entry={entry}", call_params(sid)))
    assert root.find("Dial/Client/Identity").text == f"agent_{colleague['id']}"


# --- the staffing schedule ------------------------------------------------------------------------

def test_the_staffing_schedule_is_edited_per_kind_of_day_and_decides_after_hours(web, twilio, session):
    admin = web("admin")
    page = text_of(admin.page("/admin/staffing"))
    assert "星期六" in page and "00:00-24:00" in admin.page("/admin/staffing")
    response = admin.post("/admin/staffing/sat", {"hours": "08:00-12:00"})
    assert response.status_code == 302
    sid = new_sid()
    root = twiml(twilio.post("/ivr/voice", call_params(sid)))  # Saturday 10:00: staffed
    assert root.find("Gather") is not None
    response = admin.post("/admin/staffing/sat", {"hours": ""})  # nobody on Saturdays
    root = twiml(twilio.post("/ivr/voice", call_params(new_sid())))
    assert root.find("Record") is not None and session.scalar(
        select(func.count()).select_from(Call).where(Call.after_hours.is_(True))) == 1


def test_malformed_hours_are_refused_and_nothing_changes(web):
    admin = web("admin")
    response = admin.post("/admin/staffing/mon", {"hours": "8 to 5"})
    assert response.status_code == 422 and "08:30-12:00" in text_of(response.get_data(as_text=True))
    assert "00:00-24:00" in admin.page("/admin/staffing")
    assert admin.post("/admin/staffing/someday", {"hours": ""}).status_code == 422


def test_agents_may_not_edit_the_schedule(web):
    assert web("agent").get("/admin/staffing").status_code == 403


def test_an_agent_without_a_headset_is_rung_on_their_phone(web, twilio):
    phone = Phone(web("agent"))
    assert phone.post("/number", phone_number="13800001111")["presence"]["phone_number"] == "13800001111"
    assert "error" in phone.post("/number", status=422, phone_number="not a number")
    phone.post("/presence", state="ready")
    sid = new_sid()
    twilio.post("/ivr/voice", call_params(sid))
    root = twiml(twilio.post("/ivr/menu", call_params(sid, Digits="1")))
    assert root.find("Dial/Number").text == "+8613800001111" and root.find("Dial/Client") is None


def test_a_transfer_nobody_picks_up_ends_politely_and_the_colleague_stops_taking_calls(web, twilio, session):
    first, second = Phone(web("agent")), Phone(web("agent"))
    first.post("/presence", state="ready")
    sid = new_sid()
    twilio.post("/ivr/voice", call_params(sid))
    twilio.post("/ivr/menu", call_params(sid, Digits="1"))
    entry = first.state()["current"]["entry"]
    first.post(f"/calls/{entry}/answered")
    second.post("/presence", state="ready")
    first.post(f"/calls/{entry}/transfer", to=str(first.state()["transfer_to"][0]["id"]))
    root = twiml(twilio.post(f"/ivr/queue/dialed?entry={entry}", call_params(sid, DialCallStatus="no-answer")))
    assert root.find("Hangup") is not None and "转接的话务员暂时无法接听" in root.find("Say").text
    assert second.state()["presence"]["state"] == "break"
    assert session.scalar(select(QueueEntry.outcome).where(QueueEntry.id == entry)) == "answered"
