"""X-Twilio-Signature on every webhook (issue 3: acceptance 1)."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from ivr.models import Call, Message
from tests.ivr_support import (
    AUTH_TOKEN,
    Twilio,
    action_of,
    bound_app,
    call_params,
    new_sid,
    sms_params,
    twiml,
)

PUBLIC = "https://hotline.example.gov.cn"
WEBHOOKS = ["/ivr/voice", "/ivr/menu", "/ivr/query?step=number", "/ivr/recording", "/ivr/speech",
            "/ivr/status", "/ivr/sms", "/ivr/survey?order=20260302-00001&step=satisfaction"]


def calls(session) -> int:
    return session.scalar(select(func.count(Call.id)))


def test_a_call_signed_as_twilio_signs_it_with_all_its_parameters_is_answered(twilio, session):
    sid = new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid)))
    assert session.scalar(select(Call).where(Call.call_sid == sid)) is not None


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_wrong_signature_is_refused_with_403_on_every_webhook(twilio, session, path):
    before = calls(session), session.scalar(select(func.count(Message.id)))
    params = sms_params(new_sid("SM"), "路灯坏了") if path == "/ivr/sms" else call_params(new_sid())
    wrong = twilio.signature(path, params, token="not-the-auth-token")
    r = twilio.post(path, params, signature=wrong)
    assert r.status_code == 403
    assert (calls(session), session.scalar(select(func.count(Message.id)))) == before


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_missing_signature_is_refused_with_403_on_every_webhook(client, session, path):
    r = client.post(path, data=call_params(new_sid()))
    assert r.status_code == 403
    assert calls(session) == 0


def test_a_parameter_added_after_signing_breaks_the_signature(twilio, session):
    """The signature covers every parameter received, not a list of the ones we read."""
    params = call_params(new_sid())
    signature = twilio.signature("/ivr/voice", params)
    r = twilio.post("/ivr/voice", {**params, "CallerName": "x"}, signature=signature)
    assert r.status_code == 403 and calls(session) == 0


def test_a_parameter_twilio_adds_without_notice_is_covered_and_accepted(twilio):
    params = call_params(new_sid(), AddOns='{"status":"successful"}', ParentCallSid="", CallToken="abc")
    twiml(twilio.post("/ivr/voice", params))


def test_a_signature_for_another_path_is_refused(twilio):
    params = call_params(new_sid())
    r = twilio.post("/ivr/voice", params, signature=twilio.signature("/ivr/menu", params))
    assert r.status_code == 403


def test_the_signed_url_is_the_request_target_as_it_arrived_byte_for_byte(twilio, session):
    """Twilio signs the URL it requested; the server's raw target (gunicorn's RAW_URI) is that URL,
    escapes included, where a URL rebuilt from the decoded path would not be."""
    params = call_params(new_sid())
    escaped = twilio.signature("/ivr/%76oice", params)
    assert twilio.client.post("/ivr/%76oice", data=params, headers={"X-Twilio-Signature": escaped}).status_code == 200
    rebuilt = twilio.signature("/ivr/voice", call_params(new_sid()))
    r = twilio.client.post("/ivr/%76oice", data=call_params(new_sid()), headers={"X-Twilio-Signature": rebuilt})
    assert r.status_code == 403


def test_a_server_without_a_raw_target_has_the_url_rebuilt(twilio, session):
    params = call_params(new_sid())
    r = twilio.client.post("/ivr/voice", data=params, headers={"X-Twilio-Signature": twilio.signature("/ivr/voice", params)},
                           environ_overrides={"RAW_URI": "", "REQUEST_URI": ""})
    assert r.status_code == 200 and calls(session) == 1


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(connection, clock):
    app = bound_app(connection, clock, PUBLIC_URL=PUBLIC + "/")
    seen_by_app = Twilio(app.test_client())  # signs http://localhost/...: what the app sees
    as_twilio_sees_it = Twilio(app.test_client(), base=PUBLIC)
    assert seen_by_app.post("/ivr/voice", call_params(new_sid())).status_code == 403
    root = twiml(as_twilio_sees_it.post("/ivr/voice", call_params(new_sid())))
    # Twilio must call back where it signs, so action URLs are absolute under the public URL.
    assert action_of(root, "Gather") == PUBLIC + "/ivr/menu"
    assert action_of(root, "Redirect") == PUBLIC + "/ivr/menu"


def test_the_query_string_is_part_of_what_is_signed(connection, clock):
    app = bound_app(connection, clock, PUBLIC_URL=PUBLIC)
    twilio = Twilio(app.test_client(), base=PUBLIC)
    sid = new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid)))
    params = call_params(sid, Digits="2026030200001")
    good = twilio.post("/ivr/query?step=number", params)
    assert action_of(twiml(good), "Gather") == PUBLIC + "/ivr/query?step=code"
    tampered = twilio.signature("/ivr/query?step=code", params)
    assert twilio.post("/ivr/query?step=number", params, signature=tampered).status_code == 403


def test_an_hmac_sha256_signature_made_with_a_shared_key_is_accepted(connection, clock, session):
    shared_key = "webhook-shared-key-secret"
    app = bound_app(connection, clock, TWILIO_WEBHOOK_SHARED_KEY=shared_key)
    twilio = Twilio(app.test_client())
    params = call_params(new_sid())
    sid = params["CallSid"]
    settings_header = {"X-Twilio-Webhooks-Signature-Settings": "key=KS0123,algorithm=HMAC_SHA256"}
    signature = RequestValidator(shared_key).compute_signature("http://localhost/ivr/voice", params, "HMAC_SHA256")
    twiml(twilio.post("/ivr/voice", params, signature=signature, headers=settings_header))
    assert session.scalar(select(Call).where(Call.call_sid == sid)) is not None
    sha1_with_shared_key = RequestValidator(shared_key).compute_signature("http://localhost/ivr/voice", params)
    r = twilio.post("/ivr/voice", call_params(new_sid()), signature=sha1_with_shared_key, headers=settings_header)
    assert r.status_code == 403


def test_an_hmac_sha256_signature_made_with_the_auth_token_is_accepted(twilio):
    params = call_params(new_sid())
    signature = RequestValidator(AUTH_TOKEN).compute_signature("http://localhost/ivr/voice", params, "HMAC_SHA256")
    twiml(twilio.post("/ivr/voice", params, signature=signature,
                      headers={"X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256"}))


def test_without_an_auth_token_every_webhook_is_refused(connection, clock, session, caplog):
    app = bound_app(connection, clock, TWILIO_AUTH_TOKEN=None)
    twilio = Twilio(app.test_client(), token="anything")
    assert twilio.post("/ivr/voice", call_params(new_sid())).status_code == 403
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    assert calls(session) == 0


def test_turning_signatures_off_is_explicit_and_logged_loudly(connection, clock, caplog, session):
    with caplog.at_level(logging.WARNING):
        app = bound_app(connection, clock, IVR_SIGNATURES="off")
    assert "TWILIO SIGNATURE CHECKING IS OFF" in caplog.text
    r = app.test_client().post("/ivr/voice", data=call_params(new_sid()))
    assert r.status_code == 200 and calls(session) == 1


def test_a_signature_setting_other_than_on_or_off_stops_the_app(connection, clock):
    with pytest.raises(ValueError, match="HOTLINE_TWILIO_SIGNATURES"):
        bound_app(connection, clock, IVR_SIGNATURES="no")
