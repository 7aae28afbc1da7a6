"""Provisional deadlines (SPEC §4) counted again once the calendar covers their days.

A deadline reaching beyond the last announced year is counted Monday–Friday and flagged
`provisional`. When an admin imports the new year (`hotline calendar import`, which calls this
inside its own transaction) — and hourly as a safety net — every flagged open order is counted
again on the calendar as it now is; an order whose thresholds or flag change gets a
`recompute_deadline` event with the changes, so the new deadline is in its history like any other.
An order whose days are still not covered is left alone (no event), so running it twice is a no-op.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..actions import perform, recounted_deadline
from ..context import Actor, Context
from ..models import WorkOrder
from ..vocabulary import DEADLINE_STATES

REASON = "工作日历已更新：按正式节假日安排重算办理期限"


def recompute_provisional(ctx: Context, actor: Actor | None = None, batch: int = 500) -> int:
    """Recount every provisional open order in the caller's transaction; returns orders changed."""
    actor = actor or Actor.system("scheduler")
    orders = WorkOrder.__table__.c
    changed, after_id = 0, 0
    while True:
        flagged = ctx.session.scalars(
            select(WorkOrder)
            .where(orders.provisional.is_(True), orders.state.in_(list(DEADLINE_STATES)), orders.id > after_id)
            .order_by(orders.id)
            .limit(batch)
            .options(selectinload(WorkOrder.assignments))
        ).all()
        for order in flagged:
            if _differs(order, ctx):
                perform(ctx, actor, order, "recompute_deadline", {"reason": REASON})
                changed += 1
        ctx.session.flush()
        if len(flagged) < batch:
            return changed
        after_id = flagged[-1].id


def _differs(order: WorkOrder, ctx: Context) -> bool:
    t, window = recounted_deadline(order, ctx.calendar, ctx.tz)
    now = (t.due_at, t.yellow_at, t.severe_at, window.at, t.provisional or window.provisional)
    stored = (order.due_at, order.yellow_at, order.severe_at, order.return_deadline_at, order.provisional)
    return now != stored
