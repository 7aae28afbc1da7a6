"""Helpers for the telephony tests: Twilio-signed webhooks, TwiML checks, a fake Twilio REST API."""
from __future__ import annotations

import base64
import json
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from twilio.request_validator import RequestValidator

from hotline import create_app

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-twilio-auth-token"
HOTLINE_NUMBER = "+8675512345"
CALLER = "+8613912345678"
TEST_SECRET = "test-secret-key"


def ivr_config(url: str, clock, **overrides) -> dict:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "CLOCK": clock,
        "SCHEDULER": "off",
        "TESTING": True,
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_URL": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=400),  # as in conftest: tests move the clock by days
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_NUMBER": HOTLINE_NUMBER,
        "TWILIO_API_BASE_URL": None,
        "TWILIO_WEBHOOK_SHARED_KEY": None,
        "IVR_SIGNATURES": "on",
        "IVR_TELEPHONY": "console",
        "IVR_WORKING_HOURS": "08:30-17:30",
        "IVR_VOICE": "Polly.Zhiyu-Neural",
        "IVR_LANGUAGE": "cmn-CN",
        "IVR_SPEECH_LANGUAGE": "cmn-Hans-CN",
        "IVR_PROMPTS": {},
        **overrides,
    }


def bound_app(connection, clock, **overrides):
    """An app whose sessions join the test's rolled-back transaction (like conftest's `app`)."""
    from hotline.db import database

    app = create_app(ivr_config(connection.engine.url.render_as_string(hide_password=False), clock, **overrides))
    database(app).dispose()
    database(app).bind_for_tests(connection)
    return app


def call_params(call_sid: str, frm: str | None = CALLER, **extra) -> dict[str, str]:
    """What Twilio posts for a call, including the parameters we never read."""
    params = {
        "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": call_sid,
        "CallStatus": "in-progress", "Direction": "inbound", "To": HOTLINE_NUMBER,
        "Called": HOTLINE_NUMBER, "CalledCity": "", "CalledCountry": "CN", "CalledState": "",
        "CalledZip": "", "Caller": frm or "", "CallerCity": "SHENZHEN", "CallerCountry": "CN",
        "CallerState": "Guangdong", "CallerZip": "", "FromCity": "SHENZHEN", "FromCountry": "CN",
        "FromState": "Guangdong", "FromZip": "", "ToCity": "", "ToCountry": "CN", "ToState": "",
        "ToZip": "", "StirVerstat": "TN-Validation-Passed-A",
    }
    if frm is not None:
        params["From"] = frm
    params.update(extra)
    return params


def sms_params(message_sid: str, body: str, frm: str | None = CALLER, **extra) -> dict[str, str]:
    params = {
        "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "MessageSid": message_sid,
        "SmsSid": message_sid, "SmsMessageSid": message_sid, "SmsStatus": "received",
        "MessagingServiceSid": "", "NumMedia": "0", "NumSegments": "1", "Body": body, "To": HOTLINE_NUMBER,
        "FromCity": "SHENZHEN", "FromCountry": "CN", "FromState": "Guangdong", "FromZip": "",
        "ToCity": "", "ToCountry": "CN", "ToState": "", "ToZip": "",
    }
    if frm is not None:
        params["From"] = frm
    params.update(extra)
    return params


def new_sid(prefix: str = "CA") -> str:
    return prefix + uuid.uuid4().hex


class Twilio:
    """Posts webhooks to the app signed exactly as Twilio signs them."""

    def __init__(self, client, token: str = AUTH_TOKEN, base: str = "http://localhost"):
        self.client, self.token, self.base = client, token, base

    def signature(self, path: str, params: dict, token: str | None = None) -> str:
        return RequestValidator(token or self.token).compute_signature(self.base + path, params)

    def post(self, path: str, params: dict, signature: str | None = None, headers: dict | None = None):
        sig = self.signature(path, params) if signature is None else signature
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": sig, **(headers or {})})


def twiml(response) -> ET.Element:
    """The response as XML; fails the test unless it is TwiML with <Response> at the root."""
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))


def action_of(root: ET.Element, tag: str) -> str:
    node = root.find(f".//{tag}")
    assert node is not None, f"no <{tag}> in {ET.tostring(root, encoding='unicode')}"
    return node.get("action") if tag != "Redirect" else node.text


CALL_UPDATE = re.compile(r"/Calls/(CA[0-9a-f]{32})\.json$")


RECORDING_MEDIA = re.compile(rf"^/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/(RE\w+)\.mp3$")


class FakeTwilioApi:
    """A local HTTP server answering the REST calls the twilio client makes (Calls, Messages, and
    updating a call in progress: the queue's redirect to an agent)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: tuple[int, dict] | None = None
        # The next n call updates are refused as Twilio refuses a call that is not in progress.
        self.refuse_updates = 0
        # Recording audio by RecordingSid, served (to the account's basic auth only) as Twilio's .mp3.
        self.recordings: dict[str, bytes] = {}
        # While set, call updates are held unanswered (a web process killed mid-request).
        self.hold_updates = threading.Event()
        self.update_arrived = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                user = base64.b64decode(auth.split(" ", 1)[1]).decode() if auth.startswith("Basic ") else None
                api.requests.append({"path": self.path, "form": form, "auth": user})
                update = CALL_UPDATE.search(self.path)
                if update and api.hold_updates.is_set():
                    api.update_arrived.set()
                    while api.hold_updates.is_set():
                        threading.Event().wait(0.01)
                    return
                if api.fail_with:
                    status, body = api.fail_with
                elif update and api.refuse_updates:
                    api.refuse_updates -= 1
                    status, body = 400, {"code": 21220, "message": "Call is not in-progress. Cannot redirect.",
                                         "status": 400}
                elif update:
                    status, body = 200, {"sid": update.group(1), "status": "in-progress", "account_sid": ACCOUNT_SID,
                                         "to": HOTLINE_NUMBER, "from": CALLER}
                elif self.path.endswith("/Calls.json"):
                    status, body = 201, {"sid": new_sid("CA"), "status": "queued", "to": form.get("To"),
                                         "from": form.get("From"), "account_sid": ACCOUNT_SID}
                elif self.path.endswith("/Messages.json"):
                    status, body = 201, {"sid": new_sid("SM"), "status": "queued", "to": form.get("To"),
                                         "from": form.get("From"), "body": form.get("Body"),
                                         "account_sid": ACCOUNT_SID}
                else:
                    status, body = 404, {"code": 20404, "message": "not found", "status": 404}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                auth = self.headers.get("Authorization", "")
                user = base64.b64decode(auth.split(" ", 1)[1]).decode() if auth.startswith("Basic ") else None
                api.requests.append({"path": self.path, "form": {}, "auth": user})
                audio = RECORDING_MEDIA.search(self.path)
                if user != f"{ACCOUNT_SID}:{AUTH_TOKEN}":
                    status, data, kind = 401, b'{"code": 20003, "message": "Authenticate", "status": 401}', "json"
                elif audio and audio.group(1) in api.recordings:
                    status, data, kind = 200, api.recordings[audio.group(1)], "audio/mpeg"
                else:
                    status, data, kind = 404, b'{"code": 20404, "message": "not found", "status": 404}', "json"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if kind == "json" else kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def call_updates(self) -> list[tuple[str, str]]:
        """(CallSid, Url) of every accepted or refused call update, in order."""
        return [(CALL_UPDATE.search(r["path"]).group(1), r["form"].get("Url"))
                for r in self.requests if CALL_UPDATE.search(r["path"])]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def no_unexpected_webhook_errors(caplog):
    """A webhook that only survived through the catch-all apology fails the test."""
    yield
    crashes = [r for r in caplog.records if "the caller hears an apology" in r.getMessage()]
    assert not crashes, crashes[0].exc_text


# --- a real, committed database and a real HTTP server ------------------------------------------

def committed_app(url: str, clock, **overrides):
    """An app on a committed database: a copy of the `reference_template` (conftest), which holds
    the reference data the IVR needs (tests/committed.py)."""
    return create_app(ivr_config(url, clock, **overrides))


@contextmanager
def serving(app):
    """The app on a real threaded HTTP server on 127.0.0.1; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        from hotline.db import database

        database(app).dispose()
