"""The agents' queue against a real server, a committed database and the local fake Twilio REST
API (issue 17: acceptance 2).

A queued caller is connected to the longest-idle ready agent, never to one on a break or on a
call; two agents becoming ready at the same moment never get the same caller; a web process
killed between the assignment's commit and Twilio's redirect loses no caller (the scheduler's
sweep redirects them).
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from hotline.auth import hash_password
from hotline.db import database
from hotline.jobs import run_job
from ivr.models import Call
from tests.committed import committed_database
from tests.conftest import TZ, beijing
from tests.ivr_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HOTLINE_NUMBER,
    FakeTwilioApi,
    call_params,
    committed_app,
    new_sid,
    serving,
)
from workorders.callcenter.models import AgentPresence, QueueEntry
from workorders.clock import Clock
from workorders.people import create_user

pytestmark = pytest.mark.committed
SATURDAY = beijing(2026, 3, 7, 21, 0)
PASSWORD = "password123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HOTLINE = str(Path(sys.executable).with_name("hotline"))


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


def make_agents(app, *names: str) -> None:
    with database(app).transaction() as session:
        for name in names:
            create_user(session, username=name, password_hash=hash_password(PASSWORD), role="agent",
                        department_code=None, now=SATURDAY)


class Agent:
    """An agent in a browser: signed in, posting the desk's presence buttons."""

    def __init__(self, base: str, username: str):
        self.base, self.http = base, requests.Session()
        page = self.http.get(base + "/login").text
        response = self.http.post(base + "/login", data={"username": username, "password": PASSWORD,
                                                         "csrf_token": CSRF.search(page).group(1)},
                                  allow_redirects=False)
        assert response.status_code == 302, response.text
        self.csrf = CSRF.search(self.http.get(base + "/desk").text).group(1)

    def presence(self, state: str, reason: str = "") -> dict:
        response = self.http.post(self.base + "/desk/phone/presence", data={"state": state, "reason": reason},
                                  headers={"X-CSRFToken": self.csrf})
        assert response.status_code == 200, response.text
        return response.json()


class Caller:
    """Twilio's side of one caller: signed webhooks to the served app."""

    def __init__(self, base: str):
        self.base, self.sid = base, new_sid()

    def post(self, path: str, **extra) -> ET.Element:
        params = call_params(self.sid, **extra)
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.base + path, params)
        response = requests.post(self.base + path, data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def press_1(self) -> ET.Element:
        self.post("/ivr/voice", CallStatus="ringing")
        return self.post("/ivr/menu", Digits="1")


def state_of(app, username: str) -> str:
    with database(app).transaction() as session:
        from workorders.models import User

        return session.scalar(select(AgentPresence.state).join(User, User.id == AgentPresence.user_id)
                              .where(User.username == username))


def entry_of(app, caller: Caller) -> QueueEntry:
    with database(app).transaction() as session:
        return session.scalar(select(QueueEntry).join(Call, Call.id == QueueEntry.call_id)
                              .where(Call.call_sid == caller.sid))


def user_id(app, username: str) -> int:
    from workorders.models import User

    with database(app).transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def dialled_client(root: ET.Element) -> str | None:
    node = root.find("Dial/Client/Identity")
    return node.text if node is not None else None


def test_the_longest_waiting_caller_goes_to_the_longest_idle_ready_agent(app, server, fake, clock):
    make_agents(app, "amy", "bob", "cat", "dan")
    amy, bob, cat, dan = (Agent(server, n) for n in ("amy", "bob", "cat", "dan"))
    cat.presence("break", "午饭")
    first, second, third = Caller(server), Caller(server), Caller(server)
    assert first.press_1().find("Enqueue") is not None  # nobody ready: the caller waits
    clock.advance(timedelta(seconds=20))
    assert second.press_1().find("Enqueue") is not None
    clock.advance(timedelta(seconds=20))
    assert third.press_1().find("Enqueue") is not None
    assert fake.call_updates() == []

    # Bob becomes ready first, then Dan: the first caller goes to Bob, the second to Dan.
    bob.presence("ready")
    clock.advance(timedelta(seconds=5))
    dan.presence("ready")
    updates = fake.call_updates()
    assert [sid for sid, _ in updates] == [first.sid, second.sid]
    assert updates[0][1].endswith(f"/ivr/queue/connect?entry={entry_of(app, first).id}")
    assert (entry_of(app, first).agent_id, entry_of(app, second).agent_id) == (user_id(app, "bob"), user_id(app, "dan"))
    assert (state_of(app, "bob"), state_of(app, "dan"), state_of(app, "cat")) == ("on_call", "on_call", "break")
    # Twilio follows the redirect: the caller's leg rings Bob's browser.
    root = first.post(f"/ivr/queue/connect?entry={entry_of(app, first).id}")
    assert dialled_client(root) == f"agent_{user_id(app, 'bob')}"
    assert root.find("Dial").get("action").endswith(f"/ivr/queue/dialed?entry={entry_of(app, first).id}")

    # The third caller still waits: Cat is on a break and Bob and Dan are on calls.
    assert entry_of(app, third).outcome == "waiting"
    # Amy and then Cat become ready; the idle order decides (Amy has waited longest since ready).
    amy.presence("ready")
    assert entry_of(app, third).agent_id == user_id(app, "amy")

    # A fourth caller with Cat ready and nobody else free is dialled straight to Cat, no redirect.
    cat.presence("ready")
    fourth = Caller(server)
    assert dialled_client(fourth.press_1()) == f"agent_{user_id(app, 'cat')}"
    assert len(fake.call_updates()) == 3


def test_an_agent_who_lets_it_ring_out_stops_taking_calls_and_the_next_agent_is_offered(app, server, fake, clock):
    make_agents(app, "eve", "fay")
    eve, fay = Agent(server, "eve"), Agent(server, "fay")
    eve.presence("ready")
    clock.advance(timedelta(seconds=10))
    fay.presence("ready")
    caller = Caller(server)
    entry = caller.press_1()
    assert dialled_client(entry) == f"agent_{user_id(app, 'eve')}"
    number = entry_of(app, caller).id
    root = caller.post(f"/ivr/queue/dialed?entry={number}", DialCallStatus="no-answer")
    assert dialled_client(root) == f"agent_{user_id(app, 'fay')}"
    assert state_of(app, "eve") == "break" and state_of(app, "fay") == "on_call"
    caller.post(f"/ivr/queue/answered?entry={number}", CallSid=new_sid())
    assert entry_of(app, caller).outcome == "answered"
    caller.post(f"/ivr/queue/dialed?entry={number}", DialCallStatus="completed", DialCallDuration="95")
    assert state_of(app, "fay") == "wrap_up"
    assert entry_of(app, caller).talk_ended_at == SATURDAY + timedelta(seconds=10)


@pytest.mark.parametrize("callers", [1, 2])
def test_two_agents_becoming_ready_at_once_never_get_the_same_caller(app, server, fake, callers):
    rounds = 4
    for n in range(rounds):
        names = (f"gus{n}", f"hal{n}")
        make_agents(app, *names)
        agents = [Agent(server, name) for name in names]
        waiting = [Caller(server) for _ in range(callers)]
        for caller in waiting:
            assert caller.press_1().find("Enqueue") is not None
        before = len(fake.call_updates())
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def ready(agent, barrier=barrier, errors=errors):
            barrier.wait()
            try:
                agent.presence("ready")
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=ready, args=(a,)) for a in agents]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        entries = [entry_of(app, c) for c in waiting]
        assigned = [e.agent_id for e in entries if e.outcome == "assigned"]
        assert len(assigned) == callers and len(set(assigned)) == callers
        states = sorted(state_of(app, name) for name in names)
        assert states == (["on_call", "ready"] if callers == 1 else ["on_call", "on_call"])
        redirected = [sid for sid, _ in fake.call_updates()[before:]]
        assert sorted(redirected) == sorted(c.sid for c in waiting)
        for caller in waiting:  # clear the round: these callers hang up, these agents sign off
            caller.post("/ivr/queue/left", QueueResult="hangup")
        for agent in agents:
            agent.presence("offline")


def test_a_refused_redirect_gives_the_caller_back_to_the_queue_and_the_sweep_retries(app, server, fake, clock):
    make_agents(app, "ida")
    ida = Agent(server, "ida")
    caller = Caller(server)
    caller.press_1()
    fake.refuse_updates = 1
    ida.presence("ready")
    assert entry_of(app, caller).outcome == "waiting" and state_of(app, "ida") == "ready"
    app.config["PUBLIC_URL"] = server  # the scheduler has no request to take the address from
    assert run_job(app, "call_queue", "test").error is None
    entry = entry_of(app, caller)
    assert (entry.outcome, entry.agent_id) == ("assigned", user_id(app, "ida")) and entry.redirected_at is not None
    assert [sid for sid, _ in fake.call_updates()] == [caller.sid, caller.sid]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_web_process_killed_between_commit_and_redirect_loses_no_caller(app, fake, clock, tmp_path):
    """The assignment is committed, then the process dies while Twilio is being told: the entry
    is there, assigned and not redirected, and the scheduler's sweep redirects the caller."""
    make_agents(app, "jon")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = database(app).url
    env = {**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_NOW": SATURDAY.isoformat(),
           "HOTLINE_INSTANCE": str(tmp_path), "HOTLINE_SECRET_KEY": "test-secret-key",
           "HOTLINE_SCHEDULER": "off", "HOTLINE_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
           "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_NUMBER": HOTLINE_NUMBER, "TWILIO_API_BASE_URL": fake.url,
           "HOTLINE_PUBLIC_URL": base}
    env.pop("HOTLINE_WORKING_HOURS", None)
    proc = subprocess.Popen([HOTLINE, "run", "--port", str(port), "--no-reload", "--without-threads"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, "the web process did not start"
                time.sleep(0.1)
        caller = Caller(base)
        assert caller.press_1().find("Enqueue") is not None
        jon = Agent(base, "jon")
        fake.hold_updates.set()
        pressing = threading.Thread(target=lambda: _ignore_errors(jon.presence, "ready"), daemon=True)
        pressing.start()
        assert fake.update_arrived.wait(30), "the redirect never reached Twilio"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.hold_updates.clear()
    entry = entry_of(app, caller)
    assert (entry.outcome, entry.agent_id, entry.redirected_at) == ("assigned", user_id(app, "jon"), None)
    app.config["PUBLIC_URL"] = base
    assert run_job(app, "call_queue", "test").error is None
    entry = entry_of(app, caller)
    assert entry.redirected_at is not None
    assert fake.call_updates()[-1] == (caller.sid, f"{base}/ivr/queue/connect?entry={entry.id}")


def _ignore_errors(fn, *args):
    try:
        fn(*args)
    except Exception:  # noqa: BLE001  (the server is killed mid-request on purpose)
        pass
