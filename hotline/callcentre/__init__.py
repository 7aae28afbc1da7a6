"""The call centre in the office's pages (issue #17): the agent's phone on the desk (presence,
waiting callers, answering in the browser), the agents' presence for supervisors, the staffing
schedule on the admin pages. The telephony side is `ivr/` (queue webhooks, routing, tokens)."""
from __future__ import annotations

from flask import Flask, request

# The desk's phone talks to Twilio from the browser: signalling, media and call insights, as the
# Voice SDK's README lists them. Only the desk page gets these; every other page keeps the
# app's strict policy (hotline/web/security.py).
DESK_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https://eventgw.twilio.com wss://voice-js.roaming.twilio.com "
    "https://media.twiliocdn.com https://sdk.twilio.com; "
    "media-src 'self' mediastream: https://media.twiliocdn.com https://sdk.twilio.com; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    from hotline.i18n import LABELS

    from . import phone, staffing
    from .labels import DAY_KIND_LABELS, PRESENCE_LABELS, QUEUE_OUTCOME_LABELS

    LABELS.setdefault("presence", PRESENCE_LABELS)
    LABELS.setdefault("day_kind", DAY_KIND_LABELS)
    LABELS.setdefault("queue_outcome", QUEUE_OUTCOME_LABELS)
    app.register_blueprint(phone.bp)
    app.register_blueprint(staffing.bp)

    @app.context_processor
    def voice_flag():
        def voice_configured() -> bool:
            s = app.extensions["ivr.settings"]
            return bool(s.account_sid and s.api_key and s.api_secret and s.twiml_app_sid)

        return {"voice_configured": voice_configured}

    @app.after_request
    def desk_may_reach_twilio(response):
        if request.endpoint == "desk.index" and response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = DESK_CONTENT_SECURITY_POLICY
        return response
