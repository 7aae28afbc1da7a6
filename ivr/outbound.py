"""Calls and texts the hotline starts itself (the satisfaction survey), behind one small interface.

`TwilioOutbound` uses twilio's REST client with the account from configuration; its requests can
be sent to another base URL (a proxy, or the fake Twilio server of the tests) through the
client's documented extension point, a custom `http_client`. `ConsoleOutbound` only logs, for
development and demos without an account. `make_outbound(settings)` picks one.
"""
from __future__ import annotations

import logging
import uuid
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from requests import RequestException
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .settings import IvrSettings

log = logging.getLogger(__name__)

REST_TIMEOUT_SECONDS = 15
# The "completed" event also reports the calls that never connected (busy, no-answer, failed).
FINAL_STATUS_EVENTS = ["completed"]


class OutboundError(Exception):
    """The call or text could not be started; nothing was sent."""


class OutboundTelephony(Protocol):
    def start_call(self, to: str, url: str, status_callback: str) -> str:
        """Dial `to`; Twilio fetches TwiML from `url` when answered. Returns the CallSid."""
        ...

    def send_sms(self, to: str, body: str) -> str:
        """Text `to`. Returns the MessageSid."""
        ...

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Make the call in progress fetch its next TwiML from `url` (out of the queue, to an agent)."""
        ...


class BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending each request to `base_url` instead of *.twilio.com."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path.rstrip("/") + parts.path,
                          parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


class TwilioOutbound:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base_url: str | None = None):
        if not (account_sid and auth_token and from_number):
            raise ValueError("Twilio outbound needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER")
        http_client = (
            BaseUrlHttpClient(api_base_url, timeout=REST_TIMEOUT_SECONDS) if api_base_url
            else TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number

    def start_call(self, to: str, url: str, status_callback: str) -> str:
        try:
            call = self.client.calls.create(
                to=to, from_=self.from_number, url=url, method="POST",
                status_callback=status_callback, status_callback_method="POST",
                status_callback_event=FINAL_STATUS_EVENTS,
            )
        except (TwilioException, RequestException) as exc:
            raise OutboundError(f"Twilio refused the call to {to}: {exc}") from exc
        log.info("survey call %s to %s started", call.sid, to)
        return call.sid

    def send_sms(self, to: str, body: str) -> str:
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except (TwilioException, RequestException) as exc:
            raise OutboundError(f"Twilio refused the text to {to}: {exc}") from exc
        log.info("survey text %s to %s sent", message.sid, to)
        return message.sid

    def redirect_call(self, call_sid: str, url: str) -> None:
        try:
            self.client.calls(call_sid).update(url=url, method="POST")
        except (TwilioException, RequestException) as exc:
            raise OutboundError(f"Twilio refused to redirect call {call_sid}: {exc}") from exc
        log.info("call %s redirected to %s", call_sid, url)


class ConsoleOutbound:
    """Logs what would be sent; the ids look like Twilio's so the records read the same."""

    def __init__(self, logger: logging.Logger | None = None):
        self.log = logger or log

    def start_call(self, to: str, url: str, status_callback: str) -> str:
        sid = "CA" + uuid.uuid4().hex
        self.log.warning("[console telephony] would call %s: TwiML from %s, status to %s (%s)",
                         to, url, status_callback, sid)
        return sid

    def send_sms(self, to: str, body: str) -> str:
        sid = "SM" + uuid.uuid4().hex
        self.log.warning("[console telephony] would text %s: %s (%s)", to, body, sid)
        return sid

    def redirect_call(self, call_sid: str, url: str) -> None:
        self.log.warning("[console telephony] would redirect call %s to %s", call_sid, url)


def make_outbound(settings: IvrSettings) -> OutboundTelephony:
    if settings.telephony == "twilio":
        return TwilioOutbound(settings.account_sid, settings.auth_token, settings.number, settings.api_base_url)
    return ConsoleOutbound()
