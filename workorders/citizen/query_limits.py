"""Querying an order with its access code, limited per client (SPEC §8, §9).

The one place where a citizen's order number + access code is checked: the web portal, the
rating form and the IVR keypad all come here, so a limit counts every path together.

Failed tries are limited per client (an IP address on the web, the calling number on the
phone) with growing delays (`workorders.throttle`), never per order: a stranger guessing at an
order must not lock its citizen out of it. The client's row is locked before the code is
compared, so concurrent guesses cannot slip past the limit. Neither the code nor the client is
logged.
"""
from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.errors import DomainError
from workorders.intake import access_code_matches, hash_access_code
from workorders.models import WorkOrder

from .. import throttle

SOURCES = ("web", "ivr")


class TooManyAttempts(DomainError):
    """Too many wrong tries on this order or from this client; wait for the window to pass."""

    status = 429

    def __init__(self, template: str, retry_after: timedelta, **params):
        super().__init__(template, **params)
        self.retry_after = retry_after


@dataclass
class Attempt:
    """A try that may go ahead; call `failed()` when the number or code was wrong."""

    session: Session
    key: str
    now: datetime

    def failed(self) -> None:
        throttle.record_failure(self.session, self.key, self.now)

    def succeeded(self) -> None:
        """A right code costs nothing (kept for the callers' symmetry)."""


def normalize_number(number: str) -> str:
    """An order number as citizens write it: 20261122-00042, its 13 digits as the phone menu reads
    them, a full-width dash, spaces. One spelling, so every try counts against the same order."""
    text = unicodedata.normalize("NFKC", number or "").strip()
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) == 13 and digits.isascii() and digits.isdigit():
        return f"{digits[:8]}-{digits[8:]}"
    return text[:20]


def check_and_record_query_attempt(session: Session, order_number: str, source: str, client_key: str,
                                   now: datetime) -> Attempt:
    """May `client_key` (e.g. "ip:1.2.3.4", "phone:+86138…") try a code now?

    Raises TooManyAttempts while the client must wait; the caller then says so and compares no
    code. Otherwise the caller compares and calls `failed()` on a wrong number or code.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown query source {source!r}")
    key = throttle.client_key("query", client_key)
    wait = throttle.blocked_for(session, key, now)
    if wait is not None:
        minutes = max(1, int((wait.total_seconds() + 59) // 60))
        raise TooManyAttempts(
            "too many wrong order numbers or access codes; try again in %(minutes)s minutes", wait,
            minutes=minutes,
        )
    return Attempt(session, key, now)


def verify_access(
    session: Session, secret: bytes, order_number: str, code: str, *, source: str, client_key: str,
    now: datetime,
) -> WorkOrder | None:
    """The order when number and code match; None when they do not (the caller must commit,
    so that the failure counts). Raises TooManyAttempts when the limit is reached.

    A wrong number and a wrong code look the same to the caller: the answer never tells which
    order numbers exist.
    """
    number = normalize_number(order_number)
    attempt = check_and_record_query_attempt(session, number, source, client_key, now)
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number)) if number else None
    code = (code or "").strip()
    if order is None:
        # Spend the same work as a real comparison, so timing does not reveal unknown numbers.
        hmac.compare_digest(hash_access_code(secret, number, code), "0" * 64)
        attempt.failed()
        return None
    if not code or not access_code_matches(secret, order, code):
        attempt.failed()
        return None
    attempt.succeeded()
    return order
