"""`hotline simulate call`: play a whole call against a running app, as Twilio would.

Every request carries the parameters Twilio sends and an `X-Twilio-Signature` computed with
twilio's `RequestValidator`, so the app checks it exactly as in production. The simulator
follows the TwiML it gets back: a `<Gather>` takes the next key presses (or the speech text),
a `<Record>` gets a made-up recording, a `<Redirect>` is followed, and the call ends at
`<Hangup>`, at a transfer to the agents, or when the caller has nothing more to press; then the
final status callback is sent. Anyone can try the IVR this way without a Twilio account.

Pressing 1 puts the caller in the agents' queue: the simulator polls the `<Enqueue>` wait URL as
Twilio does (each poll counts as the pause the TwiML asked for), follows the app's redirect to an
agent, and once `hotline simulate agent` has answered for the agent, talks for a while and
reports the end of the `<Dial>`, as Twilio reports it on the caller's leg. The two commands meet
in the app's database (the caller waits for the agent's answer there), so run both against the
same installation. `--poll-seconds` is the real time between polls.
"""
from __future__ import annotations

import time
import uuid
import xml.dom.minidom
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import Request, urlopen

import click
from flask import current_app
from flask.cli import AppGroup
from twilio.request_validator import RequestValidator

MAX_STEPS = 30
ACCOUNT_SID = "AC" + "0" * 32


@dataclass
class Caller:
    """What the simulated caller will do, in order."""

    presses: list[str]
    speech: list[str]
    recording_seconds: int
    talk_seconds: int = 5
    poll_seconds: float = 2.0


class SimulatedCall:
    def __init__(self, url: str, public_url: str | None, token: str | None, frm: str, to: str,
                 echo=click.echo):
        self.base = url.rstrip("/")
        self.public = (public_url or url).rstrip("/")
        self.validator = RequestValidator(token) if token else None
        self.sid = "CA" + uuid.uuid4().hex
        self.frm, self.to, self.echo = frm, to, echo
        self.seconds = 0

    def twilio_params(self, status: str = "in-progress") -> dict[str, str]:
        return {
            "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": self.sid,
            "CallStatus": status, "Direction": "inbound", "From": self.frm, "To": self.to,
            "Caller": self.frm, "Called": self.to, "CallerCountry": "CN", "FromCountry": "CN",
            "FromCity": "", "FromState": "", "FromZip": "", "ToCountry": "CN", "ToCity": "",
            "ToState": "", "ToZip": "",
        }

    def post(self, target: str, extra: dict[str, str], status: str = "in-progress") -> tuple[int, str]:
        """POST to an action URL (absolute or relative), signed for the URL Twilio would use."""
        parts = urlsplit(urljoin(self.public + "/", target))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        params = {**self.twilio_params(status), **extra}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.validator:
            headers["X-Twilio-Signature"] = self.validator.compute_signature(self.public + path, params)
        shown = " ".join(f"{k}={v}" for k, v in extra.items())
        self.echo(f"\n>>> POST {path}  {shown}".rstrip())
        request = Request(self.base + path, data=urlencode(params).encode(), headers=headers, method="POST")
        try:
            with urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def play(self, caller: Caller) -> None:
        target, extra = "/ivr/voice", {"CallStatus": "ringing"}
        steps = 0
        self.queued_at: int | None = None
        while steps < MAX_STEPS:
            status, body = self.post(target, extra)
            self.echo(f"<<< {status}\n{pretty(body)}")
            if status != 200:
                break
            root = ET.fromstring(body)
            step = self.queue_step(root, caller) or next_step(root, caller)
            if step is None:
                break
            target, extra = step
            if not target.split("?")[0].endswith("/ivr/queue/wait"):
                steps += 1
            self.seconds += 5
        self.seconds += caller.recording_seconds
        status, body = self.post("/ivr/status", {"CallStatus": "completed", "CallDuration": str(self.seconds)},
                                 status="completed")
        self.echo(f"<<< {status}\n{pretty(body)}")


    # -- the agents' queue, as Twilio plays it ---------------------------------------------------

    def queue_step(self, root: ET.Element, caller: Caller) -> tuple[str, dict] | None:
        """The next request while queued or connected to an agent; None if this TwiML is not that."""
        enqueue, dial, leave = root.find("Enqueue"), root.find("Dial"), root.find("Leave")
        if enqueue is not None:
            self.queue_action = enqueue.get("action")
            self.wait_url = enqueue.get("waitUrl")
            self.queued_at = self.seconds
            return self.wait_url, self.wait_params()
        if leave is not None:
            return self.queue_action, {"QueueResult": "leave", "QueueTime": str(self.seconds - self.queued_at)}
        if dial is not None and dial.find("Client") is not None:
            return self.talk(dial, caller)
        if self.queued_at is not None and root.find("Redirect") is None and (
                root.find("Pause") is not None or root.find("Play") is not None):
            pause = root.find("Pause")
            self.seconds += int(pause.get("length") or 1) if pause is not None else 30
            time.sleep(caller.poll_seconds)
            return self.wait_url, self.wait_params()
        return None

    def wait_params(self) -> dict[str, str]:
        waited = self.seconds - (self.queued_at or self.seconds)
        return {"QueuePosition": "1", "QueueTime": str(waited), "AvgQueueTime": str(waited),
                "CurrentQueueSize": "1", "QueueSid": "QU" + "0" * 32}

    def talk(self, dial: ET.Element, caller: Caller) -> tuple[str, dict]:
        """Ringing the agent's browser: wait for `hotline simulate agent` to answer, talk, hang up."""
        action = dial.get("action")
        entry_id = int(action.rsplit("entry=", 1)[1])
        identity = dial.find("Client/Identity").text
        ring = int(dial.get("timeout") or 20)
        self.echo(f"... ringing {identity} for up to {ring} s (answer with: hotline simulate agent)")
        answered = wait_for_entry(entry_id, lambda e: e.answered_at is not None, ring, caller.poll_seconds)
        if not answered:
            self.echo(f"... {identity} did not answer")
            return action, {"DialCallStatus": "no-answer", "DialCallDuration": "0"}
        self.echo(f"... talking with {identity} for {caller.talk_seconds} s")
        time.sleep(min(caller.talk_seconds, 3600))
        self.seconds += caller.talk_seconds
        return action, {"DialCallStatus": "completed", "DialCallDuration": str(caller.talk_seconds),
                        "DialCallSid": "CA" + uuid.uuid4().hex}


def wait_for_entry(entry_id: int, condition, seconds: float, poll: float) -> bool:
    """Poll the app's database until the queue entry satisfies `condition` (or time runs out)."""
    from hotline.db import database
    from workorders.callcenter import queue

    deadline = time.monotonic() + seconds
    while True:
        with database().transaction() as session:
            entry = queue.find(session, entry_id)
            if entry is not None and condition(entry):
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)


def next_step(root: ET.Element, caller: Caller) -> tuple[str, dict] | None:
    """The request Twilio makes after running this TwiML, or None when the call ends."""
    for verb in root:
        if verb.tag == "Gather":
            if "speech" in (verb.get("input") or "") and caller.speech:
                return verb.get("action"), {"SpeechResult": caller.speech.pop(0), "Confidence": "0.92"}
            if "speech" not in (verb.get("input") or "dtmf") and caller.presses:
                return verb.get("action"), {"Digits": caller.presses.pop(0)}
            # Nothing to press: Gather times out and Twilio goes on to the next verb.
        elif verb.tag == "Record":
            recording = "RE" + uuid.uuid4().hex
            return verb.get("action"), {
                "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}",
                "RecordingSid": recording, "RecordingDuration": str(caller.recording_seconds), "Digits": "#",
            }
        elif verb.tag == "Redirect":
            if not caller.presses and not caller.speech and verb.text and "/ivr/menu" in verb.text:
                return None  # the caller has nothing more to do and hangs up at the menu
            return verb.text, {}
        elif verb.tag in ("Hangup", "Enqueue", "Dial"):
            return None
    return None


def pretty(body: str) -> str:
    try:
        return xml.dom.minidom.parseString(body).toprettyxml(indent="  ").split("\n", 1)[1].rstrip()
    except Exception:  # not XML (a 403 or 400 explains itself in plain text)
        return body


@click.group("simulate", cls=AppGroup)
def simulate_group() -> None:
    """Try the telephony without a Twilio account."""


@simulate_group.command("call")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="where the app runs")
@click.option("--public-url", default=None, help="the URL Twilio would use, if the app sits behind a proxy")
@click.option("--from", "frm", default="+8613800138000", show_default=True, help="the caller's number")
@click.option("--to", default=None, help="the hotline's number (default: TWILIO_NUMBER)")
@click.option("--press", "presses", multiple=True, help="keys for the next <Gather>, e.g. 3, or 2026112200042#")
@click.option("--say", "speech", multiple=True, help="what the caller says at a speech <Gather>")
@click.option("--recording-seconds", default=20, show_default=True, type=click.IntRange(1, 3600))
@click.option("--talk-seconds", default=5, show_default=True, type=click.IntRange(0, 3600),
              help="how long the caller talks with the agent who answered")
@click.option("--poll-seconds", default=2.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="real time between polls while queued or ringing an agent")
@click.option("--token", default=None, help="auth token to sign with (default: TWILIO_AUTH_TOKEN)")
def simulate_call(url, public_url, frm, to, presses, speech, recording_seconds, talk_seconds, poll_seconds,
                  token) -> None:
    """Play one call: every request signed, every TwiML answer printed."""
    token = token or current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        click.echo("no TWILIO_AUTH_TOKEN: requests go unsigned (the app must run with signatures off)", err=True)
    to = to or current_app.config.get("TWILIO_NUMBER") or "+8612345"
    call = SimulatedCall(url, public_url, token, frm, to)
    click.echo(f"simulated call {call.sid} from {frm} to {to} at {url}")
    try:
        call.play(Caller(list(presses), list(speech), recording_seconds, talk_seconds, poll_seconds))
    except URLError as exc:
        raise click.ClickException(f"cannot reach the app at {url}: {exc.reason}") from None
    click.echo(f"\ncall {call.sid} ended")


@simulate_group.command("agent")
@click.option("--username", required=True, help="the agent (or supervisor) who answers")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="where the app runs")
@click.option("--public-url", default=None, help="the URL Twilio would use, if the app sits behind a proxy")
@click.option("--timeout", "timeout_seconds", default=120, show_default=True, type=click.IntRange(1, 3600),
              help="how long to wait for a caller, and for the talk to end")
@click.option("--poll-seconds", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
@click.option("--token", default=None, help="auth token to sign with (default: TWILIO_AUTH_TOKEN)")
def simulate_agent(username, url, public_url, timeout_seconds, poll_seconds, token) -> None:
    """Make an agent ready and answer the caller the queue gives them, as Twilio's agent leg would."""
    from .agent_simulation import run_agent

    run_agent(username, url, public_url, token or current_app.config.get("TWILIO_AUTH_TOKEN"),
              timeout_seconds, poll_seconds)
