"""`X-Twilio-Signature` on every webhook, checked with twilio's own `RequestValidator`.

The signature covers the URL Twilio requested and every POST parameter it sent: never a
whitelist, since Twilio adds parameters without notice. Behind a proxy the app does not see that
URL, so HOTLINE_PUBLIC_URL names it. Accounts that sign with a SharedKey send the algorithm
(HMAC-SHA256) in X-Twilio-Webhooks-Signature-Settings and are checked with that key's secret.
"""
from __future__ import annotations

import hmac
import logging

from flask import Request
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from .settings import IvrSettings

log = logging.getLogger(__name__)
SUPPORTED_ALGORITHMS = {HMAC_SHA1, HMAC_SHA256}


def requested_url(request: Request, settings: IvrSettings) -> str:
    """The URL as Twilio saw it: the public base, this path, the query string byte for byte."""
    if not settings.public_url:
        # The request target as it arrived (gunicorn's RAW_URI, uWSGI's and werkzeug's
        # REQUEST_URI) is what Twilio sent, byte for byte; werkzeug's `request.url` rebuilds and
        # re-quotes it, at about 5% of /ivr/voice's time.
        target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if target and target.startswith(f"{request.root_path}/"):
            return f"{request.scheme}://{request.host}{target}"
        return request.url
    query = request.query_string.decode("latin-1")
    return settings.public_url + request.path + (f"?{query}" if query else "")


def signature_is_valid(request: Request, settings: IvrSettings) -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    signing = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    secret = settings.shared_key if signing and "key=" in signing and settings.shared_key else settings.auth_token
    if not secret:
        log.error("a Twilio webhook arrived but TWILIO_AUTH_TOKEN is not set; refusing it")
        return False
    validator = RequestValidator(secret)
    url, algorithm = requested_url(request, settings), get_signature_algorithm(signing)
    # Twilio signs the URL it requested, so the first signature twilio's validator computes, over
    # exactly that URL, nearly always matches. Only when it does not is the full check run, which
    # also tries the URL with and without the port (it computes both, always: twice the cost).
    if algorithm.upper() in SUPPORTED_ALGORITHMS and hmac.compare_digest(
        validator.compute_signature(url, request.form, algorithm), signature
    ):
        return True
    return validator.validate(url, request.form, signature, algorithm=algorithm)


def warn_if_disabled(settings: IvrSettings, logger: logging.Logger) -> None:
    if not settings.signatures:
        banner = "!" * 78
        logger.warning(
            "\n%s\nTWILIO SIGNATURE CHECKING IS OFF (HOTLINE_TWILIO_SIGNATURES=off).\n"
            "Anyone can post to /ivr/* and create orders. Development only: never in production.\n%s",
            banner, banner,
        )
