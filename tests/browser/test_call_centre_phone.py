"""The call centre on the agent desk in Chromium (issue 17, acceptance 4).

A caller presses 1 and waits; the desk shows the waiting call; the agent becomes ready, the call
is offered to the browser and answered; the screen pop shows the caller's history and fills the
order form; the order saved during the call is linked to the call; hanging up starts wrap-up,
which runs out into ready.

THE ONE STAND-IN: the Twilio Voice SDK's `Twilio.Device` is replaced by a test double, injected
with Playwright's `add_init_script` before the page's scripts run (the vendored SDK keeps an
existing `Twilio.Device`). Chromium here cannot reach Twilio's signalling servers, so the double
plays Twilio's part of the agent's leg: it is constructed with the real access token from the
app, and the test offers it the call with exactly the parameters of the `<Dial><Client>` TwiML
the app returned to the (signed, real) Twilio webhook. Everything else is the real app.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select
from twilio.jwt import Jwt

from ivr.models import Call, CallOrder
from ivr.simulate import SimulatedCall
from tests.browser.conftest import HOTLINE_NUMBER, TWILIO_TOKEN
from workorders.callcenter.models import PresenceSpan, QueueEntry
from workorders.models import OrderEvent, User, WorkOrder

pytestmark = pytest.mark.browser
API_SECRET = "browser-api-secret-thirty-two-bytes!"
CALLER = "+8613700001234"  # the same person as 13700001234 in the earlier order

FAKE_DEVICE = """
window.Twilio = { Device: class FakeDevice {
  constructor(token, options) { this.token = token; this.handlers = {}; window.__device = this; }
  on(name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); }
  emit(name, arg) { (this.handlers[name] || []).forEach((fn) => fn(arg)); }
  register() { this.registered = true; return Promise.resolve(); }
  updateToken(token) { this.token = token; }
  offer(params) {
    const call = {
      handlers: {}, muted: false, status: "pending", customParameters: new Map(Object.entries(params)),
      on(name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); },
      emit(name) { (this.handlers[name] || []).forEach((fn) => fn(this)); },
      accept() { this.status = "open"; this.emit("accept"); },
      disconnect() { this.status = "closed"; this.emit("disconnect"); },
      mute(on) { this.muted = on; },
      isMuted() { return this.muted; },
    };
    window.__call = call;
    this.emit("incoming", call);
  }
} };
"""


@pytest.fixture
def site_config() -> dict:
    return {"IVR_WORKING_HOURS": None, "TWILIO_API_KEY": "SK" + "4" * 32, "TWILIO_API_SECRET": API_SECRET,
            "TWILIO_TWIML_APP_SID": "AP" + "5" * 32, "CC_WRAP_UP_SECONDS": 30}


def caller_presses_1(site) -> SimulatedCall:
    call = SimulatedCall(site.base, None, TWILIO_TOKEN, CALLER, HOTLINE_NUMBER, echo=lambda *a, **k: None)
    assert call.post("/ivr/voice", {"CallStatus": "ringing"})[0] == 200
    status, body = call.post("/ivr/menu", {"Digits": "1"})
    assert status == 200 and ET.fromstring(body).find("Enqueue") is not None, body
    return call


def twilio_follows_the_redirect(site, call: SimulatedCall) -> dict[str, str]:
    """Twilio fetches the connect URL the app redirected the caller to; returns the <Client>'s
    identity and parameters, which Twilio hands to the agent's Device with the incoming call."""
    with site.transaction() as session:
        entry = session.scalar(select(QueueEntry).join(Call, Call.id == QueueEntry.call_id)
                               .where(Call.call_sid == call.sid))
    status, body = call.post(f"/ivr/queue/connect?entry={entry.id}", {})
    assert status == 200, body
    client = ET.fromstring(body).find("Dial/Client")
    params = {p.get("name"): p.get("value") for p in client.findall("Parameter")}
    return {"identity": client.find("Identity").text, **params}


def test_the_agent_answers_a_waiting_call_in_the_browser(site):
    earlier = site.dispatched_complaint()
    page = site.page()
    page.add_init_script(FAKE_DEVICE)  # the one stand-in (see the module's docstring)
    site.login(page, "agent")
    page.goto(f"{site.base}/desk")
    label = page.locator("#presence-label")
    label.filter(has_text="离线").wait_for()

    call = caller_presses_1(site)
    page.locator("#waiting-list li", has_text=CALLER).wait_for()  # the desk shows the waiting call
    site.shot(page, "desk-phone-waiting")

    page.click("#presence-ready")
    label.filter(has_text="通话中").wait_for()  # assigned to this agent: ringing
    offer = twilio_follows_the_redirect(site, call)
    with site.transaction() as session:
        agent_id = session.scalar(select(User.id).where(User.username == "agent"))
    token = page.evaluate("window.__device.token")
    assert Jwt.from_jwt(token, key=API_SECRET).payload["grants"]["identity"] == offer["identity"] == f"agent_{agent_id}"
    page.evaluate("params => window.__device.offer(params)", {k: v for k, v in offer.items() if k != "identity"})

    bar = page.locator("#call-bar")
    bar.locator("#call-bar-from", has_text=CALLER).wait_for()
    page.click("#call-answer")
    pop = page.locator("#screen-pop")
    pop.locator("#screen-pop-history a", has_text=earlier).wait_for()  # the caller's history
    assert page.input_value("#f-phone") == CALLER and page.input_value("#f-call-sid") == call.sid
    site.shot(page, "desk-phone-answered")

    page.fill("#f-content", "路口的红绿灯不亮了，车辆很乱。")
    page.press("#f-content", "Control+Enter")  # saved while the caller is still on the line
    saved = page.locator("#screen-pop-saved")
    saved.wait_for()
    number = saved.get_attribute("data-number")
    assert page.evaluate("window.__call.status") == "open"  # the page stayed: the call goes on

    page.click("#call-hangup")
    label.filter(has_text="话后处理").wait_for()
    site.clock.advance(timedelta(seconds=31))
    label.filter(has_text="空闲").wait_for()  # the wrap-up ran out

    with site.transaction() as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        link = session.scalar(select(CallOrder).where(CallOrder.order_id == order.id))
        assert (link.kind, link.call.call_sid) == ("agent", call.sid)
        creator = session.scalar(select(OrderEvent.actor_id).where(OrderEvent.order_id == order.id)
                                 .order_by(OrderEvent.seq).limit(1))
        assert creator == agent_id
        entry = session.scalar(select(QueueEntry).where(QueueEntry.id == int(offer["entry"])))
        assert (entry.outcome, entry.agent_id) == ("answered", agent_id) and entry.talk_ended_at is not None
        states = list(session.scalars(select(PresenceSpan.state).where(PresenceSpan.user_id == agent_id)
                                      .order_by(PresenceSpan.id)))
        assert states == ["offline", "ready", "on_call", "wrap_up", "ready"]
