"""Access tokens for the Twilio Voice JavaScript SDK on the agent desk.

The token carries a VoiceGrant: incoming calls to the agent's Client identity, outgoing calls
through the TwiML App (TWILIO_TWIML_APP_SID). It is signed with an API key's secret
(TWILIO_API_KEY / TWILIO_API_SECRET), never with the account's auth token.
"""
from __future__ import annotations

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from .routing import identity
from .settings import IvrSettings

TOKEN_SECONDS = 3600


class VoiceNotConfigured(Exception):
    """The deployment has no API key or TwiML App: agents answer on phones, not in the browser."""


def voice_token(settings: IvrSettings, user_id: int, ttl: int = TOKEN_SECONDS) -> tuple[str, str]:
    """(JWT, identity) for this user."""
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", settings.account_sid),
                                        ("TWILIO_API_KEY", settings.api_key),
                                        ("TWILIO_API_SECRET", settings.api_secret),
                                        ("TWILIO_TWIML_APP_SID", settings.twiml_app_sid)) if not value]
    if missing:
        raise VoiceNotConfigured(f"answering in the browser is not configured: set {', '.join(missing)}")
    who = identity(user_id)
    token = AccessToken(settings.account_sid, settings.api_key, settings.api_secret, identity=who, ttl=ttl)
    token.add_grant(VoiceGrant(outgoing_application_sid=settings.twiml_app_sid, incoming_allow=True))
    jwt = token.to_jwt()
    return (jwt.decode() if isinstance(jwt, bytes) else jwt), who
