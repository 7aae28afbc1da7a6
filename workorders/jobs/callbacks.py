"""Satisfaction callbacks (SPEC §4): survey calls go out, unanswered attempts time out.

An answered or replied order that needs a callback has a window (`callback_due_at`) and, while
an automatic call is waiting, the time to place it (`callback_call_at`, within calling hours).
`claim_calls` records each call as a `place_callback` event and returns the orders to call; the
calls themselves go out after that transaction commits (`place_calls`), so a rolled-back sweep
never rings anyone, and a crash between the two costs one unanswered attempt, never two calls.
When the window passes without an answer, `time_out_callbacks` records an `unreachable` callback;
the `callback` action opens the next attempt, or archives the order as unreachable at the
policy's number of attempts (3).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..access import mask_phone
from ..actions import perform
from ..alarms import CALLBACK_STATES
from ..context import Actor, Context
from ..models import WorkOrder
from ..policies import PolicyRules
from ..policy_store import active_rules
from .lights import state_in

log = logging.getLogger(__name__)

SCHEDULER = Actor.system("scheduler")
TIMEOUT_INPUTS = {"satisfaction": "unreachable", "note": "回访时限内未能联系到来电人"}
ONE_SECOND = timedelta(seconds=1)


class CallbackPlacer(Protocol):
    """Places one survey call or SMS for an order; returns the provider's reference."""

    def place(self, session: Session, order: WorkOrder, now: datetime) -> str: ...


class ConsolePlacer:
    """The placer used when no telephony is configured: it logs the call it would place."""

    def place(self, session: Session, order: WorkOrder, now: datetime) -> str:
        log.info("callback survey for order %s to %s: no telephony configured, call not placed",
                 order.number, mask_phone(order.caller_phone))
        return "console"


def _due(now: datetime, limit: int, *conditions):
    orders = WorkOrder.__table__.c
    return (
        select(WorkOrder)
        .where(orders.next_alarm_at <= now, state_in(CALLBACK_STATES), *conditions)
        .order_by(orders.next_alarm_at, orders.id)
        .limit(limit)
        .options(selectinload(WorkOrder.assignments))
        .with_for_update(skip_locked=True, of=WorkOrder)
    )


def time_out_callbacks(ctx: Context, limit: int) -> int:
    """One batch: an `unreachable` attempt for each order whose callback window has passed."""
    orders = WorkOrder.__table__.c
    due = ctx.session.scalars(_due(ctx.now, limit, orders.callback_due_at <= ctx.now - ONE_SECOND)).all()
    for order in due:
        perform(ctx, SCHEDULER, order, "callback", dict(TIMEOUT_INPUTS))
    ctx.session.flush()
    return len(due)


def claim_calls(ctx: Context, limit: int) -> list[int]:
    """One batch: record the survey call of each order whose call is due; returns their ids."""
    orders = WorkOrder.__table__.c
    due = ctx.session.scalars(_due(
        ctx.now, limit, orders.callback_call_at <= ctx.now, orders.callback_due_at > ctx.now - ONE_SECOND,
    )).all()
    current: PolicyRules | None = None
    for order in due:
        if order.rules:
            rules = PolicyRules.from_json(order.rules)
        else:  # a direct answer was never dispatched and copied no rules
            current = current or active_rules(ctx.session)
            rules = current
        perform(ctx, SCHEDULER, order, "place_callback",
                {"channel": rules.callback_channel, "attempt": order.callback_attempts + 1})
    ctx.session.flush()
    return [order.id for order in due]


def place_calls(transaction: Callable[[], AbstractContextManager[Session]], placer: CallbackPlacer,
                order_ids: Iterable[int], now: datetime) -> tuple[int, int]:
    """Place the claimed calls, each in its own short transaction (the placer may record the
    call). A failure is logged and left to the window's timeout. Returns (placed, failed)."""
    placed = failed = 0
    for order_id in order_ids:
        try:
            with transaction() as session:
                order = session.get(WorkOrder, order_id)
                reference = placer.place(session, order, now)
            log.info("callback survey for order %s placed: %s", order.number, reference)
            placed += 1
        except Exception:
            log.exception("could not place the callback survey of order id %s", order_id)
            failed += 1
    return placed, failed
