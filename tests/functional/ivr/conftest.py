"""The telephony tests: an app that checks Twilio's signatures, a client that signs as Twilio does,
and no webhook that only survived through the caller's apology (`no_unexpected_webhook_errors`)."""
from __future__ import annotations

import pytest

from tests.ivr_support import Twilio, bound_app, no_unexpected_webhook_errors  # noqa: F401  (autouse)


@pytest.fixture
def app(connection, clock):
    return bound_app(connection, clock)


@pytest.fixture
def twilio(client):
    return Twilio(client)
