"""Order query by keypad (SPEC §5 /ivr/query): order number, then access code.

Failures are stored, and limited per call and per calling number (growing delays shared with the
web portal, `workorders.citizen.query_limits`), so the six-digit code cannot be guessed by
calling again and again — but never per order, so a stranger cannot lock a citizen out of their
own order. The caller is never told which of the two was
wrong, and hears only the state: nothing personal, no content, no reply text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from workorders.citizen.query_limits import TooManyAttempts, check_and_record_query_attempt
from workorders.context import Context
from workorders.intake import access_code_matches
from workorders.models import WorkOrder

from .models import Call, QueryAttempt
from .prompts import SPOKEN_STATES
from .settings import IvrSettings

ORDER_DIGITS = re.compile(r"^[0-9]{13}$")
CODE_DIGITS = re.compile(r"^[0-9]{6}$")


@dataclass
class Outcome:
    """What to say next: ask for the number or the code again, refuse, or the state."""

    next: str  # "code", "number", "locked", "state"
    wrong: bool = False
    state: str | None = None
    has_reply: bool = False


def order_number(digits: str) -> str:
    """Thirteen keypad digits → 20261122-00042."""
    return f"{digits[:8]}-{digits[8:]}"


def failures_in_call(ctx: Context, call: Call) -> int:
    return ctx.session.scalar(
        select(func.count(QueryAttempt.id)).where(QueryAttempt.call_id == call.id, QueryAttempt.succeeded.is_(False))
    )


def _fail(ctx: Context, call: Call, order: WorkOrder | None, settings: IvrSettings) -> Outcome:
    ctx.session.add(QueryAttempt(call_id=call.id, order_id=order.id if order else None, succeeded=False, at=ctx.now))
    ctx.session.flush()
    call.query_number = None
    if failures_in_call(ctx, call) >= settings.query_attempts_per_call:
        return Outcome("locked", wrong=True)
    return Outcome("number", wrong=True)


def enter_number(ctx: Context, call: Call, digits: str, settings: IvrSettings) -> Outcome:
    if failures_in_call(ctx, call) >= settings.query_attempts_per_call:
        return Outcome("locked")
    if not ORDER_DIGITS.match(digits):
        return _fail(ctx, call, None, settings)
    call.query_number = order_number(digits)
    return Outcome("code")


def enter_code(ctx: Context, call: Call, digits: str, settings: IvrSettings) -> Outcome:
    if failures_in_call(ctx, call) >= settings.query_attempts_per_call:
        return Outcome("locked")
    if call.query_number is None:
        return Outcome("number")
    order = ctx.session.scalar(select(WorkOrder).where(WorkOrder.number == call.query_number))
    try:  # the limit shared with the web portal: tries from this number count together
        shared = check_and_record_query_attempt(ctx.session, call.query_number, "ivr",
                                                f"phone:{call.from_number or call.call_sid}", ctx.now)
    except TooManyAttempts:
        call.query_number = None
        return Outcome("locked")
    if order is None or not CODE_DIGITS.match(digits) or not access_code_matches(ctx.secret, order, digits):
        shared.failed()
        return _fail(ctx, call, order, settings)
    shared.succeeded()
    ctx.session.add(QueryAttempt(call_id=call.id, order_id=order.id, succeeded=True, at=ctx.now))
    call.query_number = None
    return Outcome("state", state=SPOKEN_STATES.get(order.state, order.state),
                   has_reply=bool(order.answer_text or (order.reply_text and order.state != "reply_review")))
