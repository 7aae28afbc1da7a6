"""Querying an order with its access code, limited per order and per client (SPEC §8, §9).

The one place where a citizen's order number + access code is checked: the web portal, the
rating form and the IVR keypad all come here, so a limit counts every path together.

Failed tries are counted per order number (whoever tries) and per client (an IP address on the
web, the calling number on the phone). A try is counted *before* the code is compared and given
back when it was right, so concurrent guesses cannot slip past the limit and a citizen who
checks their own order often is never locked out. Neither the code nor the client is logged.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.errors import DomainError
from workorders.intake import access_code_matches, hash_access_code
from workorders.models import WorkOrder

from . import rate_limits

SOURCES = ("web", "ivr")


class TooManyAttempts(DomainError):
    """Too many wrong tries on this order or from this client; wait for the window to pass."""

    status = 429

    def __init__(self, template: str, retry_after: timedelta, **params):
        super().__init__(template, **params)
        self.retry_after = retry_after


@dataclass(frozen=True)
class QueryLimits:
    failures_per_order: int = 5
    failures_per_client: int = 10
    window: timedelta = timedelta(minutes=30)


DEFAULT_LIMITS = QueryLimits()


@dataclass
class Attempt:
    """A try that has been counted; call `succeeded()` when the code was right."""

    session: Session
    keys: tuple[str, ...]

    def succeeded(self) -> None:
        for key in self.keys:
            rate_limits.give_back(self.session, key)


def normalize_number(number: str) -> str:
    return (number or "").strip()[:20]


def check_and_record_query_attempt(
    session: Session, order_number: str, source: str, client_key: str, now: datetime,
    limits: QueryLimits = DEFAULT_LIMITS,
) -> Attempt:
    """Count one try on `order_number` by `client_key` (e.g. "ip:1.2.3.4", "phone:+86138…").

    Raises TooManyAttempts when either limit is already used up; the caller then says so and
    compares no code.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown query source {source!r}")
    order_key = rate_limits.counter_key("query-order", normalize_number(order_number))
    client = rate_limits.counter_key("query-client", client_key)
    on_order = rate_limits.hit(session, order_key, now, limits.window)
    on_client = rate_limits.hit(session, client, now, limits.window)
    if on_order > limits.failures_per_order or on_client > limits.failures_per_client:
        minutes = int(limits.window.total_seconds() // 60)
        raise TooManyAttempts(
            "too many wrong order numbers or access codes; try again in %(minutes)s minutes", limits.window,
            minutes=minutes,
        )
    return Attempt(session, (order_key, client))


def verify_access(
    session: Session, secret: bytes, order_number: str, code: str, *, source: str, client_key: str,
    now: datetime, limits: QueryLimits = DEFAULT_LIMITS,
) -> WorkOrder | None:
    """The order when number and code match; None when they do not (the caller must commit,
    so that the failure counts). Raises TooManyAttempts when the limit is reached.

    A wrong number and a wrong code look the same to the caller: the answer never tells which
    order numbers exist.
    """
    number = normalize_number(order_number)
    attempt = check_and_record_query_attempt(session, number, source, client_key, now, limits)
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number)) if number else None
    code = (code or "").strip()
    if order is None:
        # Spend the same work as a real comparison, so timing does not reveal unknown numbers.
        hmac.compare_digest(hash_access_code(secret, number, code), "0" * 64)
        return None
    if not code or not access_code_matches(secret, order, code):
        return None
    attempt.succeeded()
    return order
