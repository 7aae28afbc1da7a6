"""`hotline simulate call`: play a whole call against a running app, as Twilio would.

Every request carries the parameters Twilio sends and an `X-Twilio-Signature` computed with
twilio's `RequestValidator`, so the app checks it exactly as in production. The simulator
follows the TwiML it gets back: a `<Gather>` takes the next key presses (or the speech text),
a `<Record>` gets a made-up recording, a `<Redirect>` is followed, and the call ends at
`<Hangup>`, at a transfer to the agents, or when the caller has nothing more to press; then the
final status callback is sent. Anyone can try the IVR this way without a Twilio account.
"""
from __future__ import annotations

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
        for _ in range(MAX_STEPS):
            status, body = self.post(target, extra)
            self.echo(f"<<< {status}\n{pretty(body)}")
            if status != 200:
                break
            step = next_step(ET.fromstring(body), caller)
            if step is None:
                break
            target, extra = step
            self.seconds += 5
        self.seconds += caller.recording_seconds
        status, body = self.post("/ivr/status", {"CallStatus": "completed", "CallDuration": str(self.seconds)},
                                 status="completed")
        self.echo(f"<<< {status}\n{pretty(body)}")


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
@click.option("--token", default=None, help="auth token to sign with (default: TWILIO_AUTH_TOKEN)")
def simulate_call(url, public_url, frm, to, presses, speech, recording_seconds, token) -> None:
    """Play one call: every request signed, every TwiML answer printed."""
    token = token or current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        click.echo("no TWILIO_AUTH_TOKEN: requests go unsigned (the app must run with signatures off)", err=True)
    to = to or current_app.config.get("TWILIO_NUMBER") or "+8612345"
    call = SimulatedCall(url, public_url, token, frm, to)
    click.echo(f"simulated call {call.sid} from {frm} to {to} at {url}")
    try:
        call.play(Caller(list(presses), list(speech), recording_seconds))
    except URLError as exc:
        raise click.ClickException(f"cannot reach the app at {url}: {exc.reason}") from None
    click.echo(f"\ncall {call.sid} ended")
