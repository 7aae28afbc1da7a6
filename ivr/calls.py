"""Calls as the agent desk sees them: the ones in progress, and the orders taken during one.

The web desk (hotline/web/calls.py) and the JSON API (desk_api.py) both read calls here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.models import WorkOrder

from .models import Call, CallOrder

# A call with no final status after this long lost its status callback; it is not "active".
ACTIVE_FOR = timedelta(hours=4)


def _now() -> datetime:
    from hotline.runtime import clock

    return clock().now()


def active_calls(session: Session, now: datetime | None = None, limit: int = 50) -> list[Call]:
    """Callers on the line now (inbound calls without a final status), newest first."""
    now = now or _now()
    return list(session.scalars(
        select(Call)
        .where(Call.ended_at.is_(None), Call.direction == "inbound", Call.started_at >= now - ACTIVE_FOR)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(limit)
    ))


def recent_calls(session: Session, limit: int = 50) -> list[Call]:
    return list(session.scalars(select(Call).order_by(Call.started_at.desc(), Call.id.desc()).limit(limit)))


def link_order(session: Session, call_sid: str, order: WorkOrder, kind: str = "agent") -> None:
    """Remember that an agent created `order` while talking to the caller of `call_sid`."""
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    if call is None:
        return
    exists = session.scalar(
        select(CallOrder.id).where(CallOrder.call_id == call.id, CallOrder.order_id == order.id)
    )
    if exists is None:
        session.add(CallOrder(call_id=call.id, order_id=order.id, kind=kind, created_at=_now()))
        session.flush()
