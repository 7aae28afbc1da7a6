"""Every TwiML answer, on every path through the IVR (issue 3: acceptance 3).

Each one parses as XML with <Response> at the root, every <Say> uses the configured voice and
language, and every <Gather>/<Record> action and <Redirect> points at an endpoint that exists.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from tests.ivr_support import (
    HOTLINE_NUMBER,
    Twilio,
    bound_app,
    call_params,
    new_sid,
    sms_params,
)

CONFIGS = {
    "defaults": {},
    "behind a proxy, other voice": {"PUBLIC_URL": "https://hotline.example.gov.cn/12345",
                                    "IVR_VOICE": "Polly.Zhiyu", "IVR_LANGUAGE": "zh-CN",
                                    "IVR_SPEECH_LANGUAGE": "cmn-Hant-TW"},
}


@pytest.fixture(params=list(CONFIGS))
def app(request, connection, clock):
    return bound_app(connection, clock, **CONFIGS[request.param])


class Recorder(Twilio):
    def __init__(self, client, base):
        super().__init__(client, base=base)
        self.responses = []

    def post(self, path, params, **kwargs):
        response = super().post(path, params, **kwargs)
        self.responses.append((path, response))
        return response


def walk_every_path(twilio: Recorder, desk) -> None:
    def call(path, sid, **extra):
        twilio.post(path, call_params(sid, **extra))

    sid = new_sid()
    call("/ivr/voice", sid, CallStatus="ringing")
    for digits in ("1", "2", "3", "4", "9", "7", "abc", "", "", ""):
        call("/ivr/menu", sid, Digits=digits)
    order = desk["agent"].create()
    digits = order["number"].replace("-", "")
    for step, keys in (("number", "abc"), ("number", digits), ("code", "000000"), ("number", digits),
                       ("code", order["access_code"]), ("code", "1"), ("number", digits), ("code", "999999"),
                       ("number", digits), ("code", order["access_code"]), (None, "")):
        call(f"/ivr/query?step={step}" if step else "/ivr/query", sid, Digits=keys)
    for speech in ("", "投诉" * 3000, "小区门口的路灯坏了"):
        call("/ivr/speech", new_sid(), SpeechResult=speech, Confidence="0.7")
    recorded = new_sid()
    call("/ivr/recording", recorded, RecordingUrl="")
    for _ in range(2):
        call("/ivr/recording", recorded, RecordingUrl="https://api.twilio.com/r/RE7", RecordingDuration="12")
    call("/ivr/status", sid, CallStatus="completed", CallDuration="95")
    survey = order["number"]
    survey_sid = new_sid()
    for step, keys in ((None, ""), ("satisfaction", "5"), ("satisfaction", "2"), ("resolved", "x"),
                       ("resolved", "1"), ("resolved", "1")):
        query = f"order={survey}" + (f"&step={step}" if step else "")
        call(f"/ivr/survey?{query}", survey_sid, Digits=keys, frm=HOTLINE_NUMBER, Direction="outbound-api")
    call("/ivr/survey?order=20990101-00001", new_sid())
    for body in ("路灯坏了", "", "长" * 5000, "1 1"):
        message = new_sid("SM")
        twilio.post("/ivr/sms", sms_params(message, body))
        twilio.post("/ivr/sms", sms_params(message, body))


def endpoint_exists(app, url: str) -> bool:
    public = app.config["PUBLIC_URL"]
    if public:
        assert url.startswith(public.rstrip("/") + "/"), url
        url = url[len(public.rstrip("/")):]
    path = urlsplit(url).path
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(path, method="POST")
    return endpoint.startswith("ivr.")


def test_every_twiml_answer_is_well_formed_speaks_as_configured_and_points_at_real_endpoints(app, desk):
    public = app.config["PUBLIC_URL"]
    twilio = Recorder(app.test_client(), base=(public or "http://localhost").rstrip("/"))
    walk_every_path(twilio, desk)
    settings = app.extensions["ivr.settings"]
    actions_seen, says_seen = set(), 0
    assert len(twilio.responses) > 40
    for path, response in twilio.responses:
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        assert response.mimetype == "text/xml", path
        root = ET.fromstring(response.get_data(as_text=True))
        assert root.tag == "Response", path
        for say in root.iter("Say"):
            assert (say.get("voice"), say.get("language")) == (settings.voice, settings.language), path
            assert say.text and say.text.strip()
            says_seen += 1
        for node in root.iter():
            if node.tag in ("Gather", "Record"):
                assert node.get("method") == "POST" and endpoint_exists(app, node.get("action")), (path, node.attrib)
                actions_seen.add(urlsplit(node.get("action")).path)
            if node.tag == "Gather" and node.get("input") == "speech":
                assert node.get("language") == settings.speech_language
            if node.tag == "Redirect":
                assert endpoint_exists(app, node.text), (path, node.text)
        if path == "/ivr/sms":
            assert [m.text for m in root.iter("Message")] and not list(root.iter("Say"))
    prefix = urlsplit(public).path if public else ""
    assert actions_seen == {prefix + p for p in ("/ivr/menu", "/ivr/query", "/ivr/recording", "/ivr/speech",
                                                  "/ivr/survey")}
    assert says_seen >= len(twilio.responses) - 12  # only status callbacks and SMS say nothing
    assert {urlsplit(path).path for path, _ in twilio.responses} == {
        "/ivr/voice", "/ivr/menu", "/ivr/query", "/ivr/recording", "/ivr/speech", "/ivr/status", "/ivr/survey",
        "/ivr/sms"}
